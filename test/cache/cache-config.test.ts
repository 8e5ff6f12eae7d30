import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';

describe('cache settings', () => {
  it('reads the Redis URL, cluster nodes and command timeout from the environment', () => {
    const single = loadConfig({ REDIS_URL: 'redis://cache:6379', REDIS_COMMAND_TIMEOUT_MS: '20' });
    expect(single.cache).toMatchObject({ redisUrl: 'redis://cache:6379', commandTimeoutMs: 20 });
    const cluster = loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:7000, 10.0.0.2:7001' });
    expect(cluster.cache.redisClusterNodes).toEqual(['10.0.0.1:7000', '10.0.0.2:7001']);
    expect(cluster.cache.commandTimeoutMs).toBe(50);
  });

  it('rejects a cluster node without a port and a zero command timeout, naming the keys', () => {
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: 'cache-1', REDIS_COMMAND_TIMEOUT_MS: '0' })).toThrow(ConfigError);
    try {
      loadConfig({ REDIS_CLUSTER_NODES: 'cache-1', REDIS_COMMAND_TIMEOUT_MS: '0' });
    } catch (error) {
      expect((error as ConfigError).issues.join('\n')).toMatch(/cache\.redisClusterNodes\.0: must be host:port/);
      expect((error as ConfigError).issues.join('\n')).toMatch(/cache\.commandTimeoutMs/);
    }
  });
});
