import { isPrivateAddress, outboundRefusal as refusalOf } from './outbound-target';

describe('outbound targets', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.20.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '::1',
    'fd00::1',
    '::ffff:127.0.0.1',
  ])('treats %s as private', (address) => expect(isPrivateAddress(address)).toBe(true));

  it.each(['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111'])('treats %s as public', (address) =>
    expect(isPrivateAddress(address)).toBe(false),
  );

  it('refuses loopback targets unless private targets are allowed', async () => {
    expect(await refusalOf(new URL('http://127.0.0.1:8000/v1'), false)).toMatch(/private or loopback/);
    expect(await refusalOf(new URL('http://[::1]:8000/v1'), false)).toMatch(/private or loopback/);
    expect(await refusalOf(new URL('http://127.0.0.1:8000/v1'), true)).toBeNull();
  });

  it('refuses other schemes and credentials in the URL whatever the setting', async () => {
    expect(await refusalOf(new URL('file:///etc/passwd'), true)).toMatch(/scheme/);
    expect(await refusalOf(new URL('http://user:pw@8.8.8.8/'), true)).toMatch(/credentials/);
  });
});
