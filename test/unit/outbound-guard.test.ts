import { parseAllowList, refusedRange } from '../../activities/channels/outbound-guard';

describe('outbound guard: address classes', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['10.20.30.40', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.0.1', 'private'],
    ['fd00::1', 'private'],
    ['fc00::1', 'private'],
    ['fec0::1', 'private'],
    ['100.64.0.1', 'shared address space (CGNAT)'],
    ['100.127.255.254', 'shared address space (CGNAT)'],
    ['169.254.0.1', 'link-local'],
    ['fe80::abcd', 'link-local'],
    ['169.254.169.254', 'cloud metadata'],
    ['fd00:ec2::254', 'cloud metadata'],
    ['100.100.100.200', 'cloud metadata'],
    ['224.0.0.251', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['ff02::1', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['255.255.255.255', 'reserved'],
    ['::ffff:127.0.0.1', 'loopback (IPv4-mapped 127.0.0.1)'],
    ['::ffff:7f00:1', 'loopback (IPv4-mapped 127.0.0.1)'],
    ['::ffff:a9fe:a9fe', 'cloud metadata (IPv4-mapped 169.254.169.254)'],
    ['::ffff:10.0.0.1', 'private (IPv4-mapped 10.0.0.1)'],
    ['64:ff9b::a9fe:a9fe', 'cloud metadata (NAT64 169.254.169.254)'],
    ['::127.0.0.1', 'loopback (IPv4-compatible 127.0.0.1)'],
  ])('%s is %s', (address, range) => {
    expect(refusedRange(address)).toBe(range);
  });

  it.each(['8.8.8.8', '172.32.0.1', '100.128.0.1', '93.184.215.14', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808'])(
    '%s is public',
    (address) => {
      expect(refusedRange(address)).toBeUndefined();
    },
  );

  it('reads allow lists of names, IPs and CIDRs, and refuses a bad CIDR', () => {
    const allow = parseAllowList([' CRM.Internal. ', '10.1.0.0/16', '[::1]', '192.168.7.7']);
    expect([...allow.names]).toEqual(['crm.internal']);
    expect(allow.addresses.check('10.1.200.3', 'ipv4')).toBe(true);
    expect(allow.addresses.check('10.2.0.1', 'ipv4')).toBe(false);
    expect(allow.addresses.check('::1', 'ipv6')).toBe(true);
    expect(allow.addresses.check('192.168.7.7', 'ipv4')).toBe(true);
    expect(() => parseAllowList(['10.0.0.0/40'])).toThrow(/"10.0.0.0\/40" is not a CIDR/);
  });
});
