import { isPrivateAddress, refusalReason } from './outbound-address';

describe('outbound address policy', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.20.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    '::',
    'fd00::1',
    'fe80::1',
    '::ffff:127.0.0.1',
  ])('treats %s as private', (address) => expect(isPrivateAddress(address)).toBe(true));

  it.each(['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('treats %s as public', (address) =>
    expect(isPrivateAddress(address)).toBe(false),
  );

  it('refuses loopback targets unless private targets are allowed', async () => {
    expect(await refusalReason(new URL('http://127.0.0.1:8080/v1'), false)).toMatch(/private or loopback/);
    expect(await refusalReason(new URL('http://[::1]:8080/v1'), false)).toMatch(/private or loopback/);
    expect(await refusalReason(new URL('http://localhost:8080/v1'), false)).toMatch(/private or loopback/);
    expect(await refusalReason(new URL('http://127.0.0.1:8080/v1'), true)).toBeUndefined();
  });

  it('refuses other schemes and credentials in the URL', async () => {
    expect(await refusalReason(new URL('file:///etc/passwd'), true)).toMatch(/scheme/);
    expect(await refusalReason(new URL('https://user:pw@example.com/'), true)).toMatch(/credentials/);
  });
});
