import { describe, expect, it } from 'vitest';
import { createTargetPolicy, TargetRefusedError } from '../../src/webhooks/target-policy.js';

/** The SSRF rules for webhook targets: which addresses, schemes and URLs are refused, and the lookup sockets use. */

const strict = createTargetPolicy({ allowHttp: false, allowPrivateTargets: false, allowedTargetCidrs: [] });

describe('addresses', () => {
  it.each([
    '127.0.0.1',
    '127.255.0.9',
    '::1',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '100.64.0.1',
    '169.254.169.254',
    '169.254.0.1',
    'fe80::1',
    'fc00::1',
    'fd12:3456::1',
    '0.0.0.0',
    '::',
    '224.0.0.1',
    'ff02::1',
    '255.255.255.255',
    '240.0.0.1',
    '::ffff:127.0.0.1',
    '::ffff:169.254.169.254',
    '::ffff:10.0.0.1',
    '64:ff9b::7f00:1',
    '2002:7f00:1::',
    'not-an-address',
  ])('refuses %s', (address) => {
    expect(strict.allows(address)).toBe(false);
  });

  it.each(['93.184.216.34', '8.8.8.8', '2606:4700::1111', '::ffff:8.8.8.8'])('accepts %s', (address) => {
    expect(strict.allows(address)).toBe(true);
  });

  it('admits private networks with allowPrivateTargets, never link-local or metadata', () => {
    const lenient = createTargetPolicy({ allowHttp: false, allowPrivateTargets: true, allowedTargetCidrs: [] });
    for (const address of ['10.0.0.1', '192.168.0.10', '127.0.0.1', '100.64.1.1', 'fd00::5'])
      expect(lenient.allows(address)).toBe(true);
    for (const address of ['169.254.169.254', 'fe80::1', '100.100.100.200', 'fd00:ec2::254', '224.0.0.1'])
      expect(lenient.allows(address)).toBe(false);
  });

  it('admits the blocks of allowedTargetCidrs whatever their range, and only those', () => {
    const policy = createTargetPolicy({
      allowHttp: true,
      allowPrivateTargets: false,
      allowedTargetCidrs: ['127.0.0.1/32', '10.20.0.0/16'],
    });
    expect(policy.allows('127.0.0.1')).toBe(true);
    expect(policy.allows('::ffff:127.0.0.1')).toBe(true);
    expect(policy.allows('127.0.0.2')).toBe(false);
    expect(policy.allows('10.20.9.9')).toBe(true);
    expect(policy.allows('10.21.0.1')).toBe(false);
  });
});

describe('URLs at registration', () => {
  const resolving = (answers: Record<string, string[]>) =>
    createTargetPolicy({
      allowHttp: false,
      allowPrivateTargets: false,
      allowedTargetCidrs: [],
      resolve: async (host) => {
        const found = answers[host];
        if (!found) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
        return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
      },
    });
  const reasonOf = async (check: Promise<unknown>) => {
    const error = await check.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TargetRefusedError);
    return (error as TargetRefusedError).reason;
  };

  it('accepts an https URL whose every address is public', async () => {
    const policy = resolving({ 'hooks.example.com': ['93.184.216.34', '2606:2800::1'] });
    await expect(policy.check('https://hooks.example.com/junction')).resolves.toBeInstanceOf(URL);
  });

  it('refuses http unless allowed, other schemes always, user info, garbage', async () => {
    const policy = resolving({ 'hooks.example.com': ['93.184.216.34'] });
    expect(await reasonOf(policy.check('http://hooks.example.com/'))).toBe('SCHEME_NOT_ALLOWED');
    expect(await reasonOf(policy.check('ftp://hooks.example.com/'))).toBe('SCHEME_NOT_ALLOWED');
    expect(await reasonOf(policy.check('https://user:pw@hooks.example.com/'))).toBe('INVALID_URL');
    expect(await reasonOf(policy.check('hooks.example.com'))).toBe('INVALID_URL');
  });

  it('refuses a literal private address, and a name with any private address among its answers', async () => {
    const policy = resolving({
      'mixed.example.com': ['93.184.216.34', '10.0.0.7'],
      'meta.example.com': ['169.254.169.254'],
    });
    expect(await reasonOf(policy.check('https://10.0.0.5/hook'))).toBe('ADDRESS_NOT_ALLOWED');
    expect(await reasonOf(policy.check('https://[::ffff:127.0.0.1]/hook'))).toBe('ADDRESS_NOT_ALLOWED');
    expect(await reasonOf(policy.check('https://mixed.example.com/hook'))).toBe('ADDRESS_NOT_ALLOWED');
    expect(await reasonOf(policy.check('https://meta.example.com/latest'))).toBe('ADDRESS_NOT_ALLOWED');
    expect(await reasonOf(policy.check('https://nowhere.example.com/'))).toBe('UNRESOLVABLE');
  });

  it('hands sockets only the addresses that pass, and an error when none does', async () => {
    const policy = resolving({
      'mixed.example.com': ['10.0.0.7', '93.184.216.34'],
      'inside.example.com': ['10.0.0.7'],
    });
    const lookup = (host: string, all: boolean) =>
      new Promise<unknown>((resolve, reject) =>
        policy.lookup(host, { all }, (error, address, family) =>
          error ? reject(error) : resolve(all ? address : { address, family }),
        ),
      );
    await expect(lookup('mixed.example.com', true)).resolves.toEqual([{ address: '93.184.216.34', family: 4 }]);
    await expect(lookup('mixed.example.com', false)).resolves.toEqual({ address: '93.184.216.34', family: 4 });
    await expect(lookup('inside.example.com', false)).rejects.toMatchObject({ code: 'ETARGETREFUSED' });
  });
});
