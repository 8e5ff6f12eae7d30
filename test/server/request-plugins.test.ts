import type { GraphQLRequestContext } from '@apollo/server';
import { describe, expect, it } from 'vitest';
import { mergeRequestPlugins, type RequestListener, type RequestPlugin } from '../../src/server/request-plugins.js';
import type { GatewayContext } from '../../src/resolvers/context.js';

/** The merged plugin's listener must behave as Apollo's own loop over the separate plugins' listeners did. */

const context = {} as GraphQLRequestContext<GatewayContext>;
type Hooked = Required<Pick<RequestListener, 'didResolveOperation' | 'willSendResponse'>>;

async function listenerOf(plugins: RequestPlugin[]): Promise<Partial<Hooked>> {
  const plugin = mergeRequestPlugins(plugins);
  return ((await plugin.requestDidStart?.(context)) ?? {}) as Partial<Hooked>;
}

describe('mergeRequestPlugins', () => {
  it('starts every hook in the plugins order as method calls, and waits for all of them', async () => {
    const calls: string[] = [];
    const plugin = (name: string, delayed = false): RequestPlugin => ({
      async requestDidStart() {
        calls.push(`${name}.start`);
        return {
          label: name,
          async didResolveOperation(this: { label: string }) {
            calls.push(`${this.label}.resolved`);
            if (delayed) await new Promise<void>((resolve) => setImmediate(resolve));
            calls.push(`${this.label}.resolved-end`);
          },
        } as RequestListener;
      },
    });
    const listener = await listenerOf([plugin('a', true), plugin('b'), { requestDidStart: async () => undefined }]);
    expect(listener.willSendResponse).toBeUndefined();
    await listener.didResolveOperation!(context as never);
    // b's hook started while a's was still waiting; the stage ended after both.
    expect(calls).toEqual(['a.start', 'b.start', 'a.resolved', 'b.resolved', 'b.resolved-end', 'a.resolved-end']);
  });

  it('a hook that fails fails the stage, and the hooks after it still ran (as with Promise.all)', async () => {
    let secondRan = false;
    const refused = new Error('refused');
    const listener = await listenerOf([
      { requestDidStart: async () => ({ didResolveOperation: async () => Promise.reject(refused) }) },
      { requestDidStart: async () => ({ didResolveOperation: async () => void (secondRan = true) }) },
    ]);
    await expect(listener.didResolveOperation!(context as never)).rejects.toBe(refused);
    expect(secondRan).toBe(true);
  });

  it('one listener is handed over as it is; none gives none', async () => {
    const only: RequestListener = { willSendResponse: async () => undefined };
    expect(await mergeRequestPlugins([{ requestDidStart: async () => only }]).requestDidStart?.(context)).toBe(only);
    expect(await mergeRequestPlugins([{ requestDidStart: async () => undefined }]).requestDidStart?.(context)).toBe(
      undefined,
    );
  });
});
