import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/*
 * The outbound guard of user-steerable URLs (webhooks): a journey's URL is rendered from profile, event and
 * context, so without it an ingest key could steer the worker to loopback, the cluster's private services or
 * the cloud metadata endpoint. The check runs on the address the socket connects to (the socket's `lookup`),
 * so a name that resolves to a public address when validated and to a private one when used (DNS rebinding)
 * is still refused. IP literals skip `lookup`, so `checkUrl` checks them before the request.
 *
 * Hosts in the allow list (WEBHOOK_ALLOW_HOSTS) pass: a host name by name (whatever it resolves to), an IP or
 * a CIDR by the resolved address.
 */

/** A resolver of host names; tests inject one to map a name to any address. */
export type ResolveHost = (hostname: string) => Promise<{ address: string; family: number }[]>;

/** A destination the guard refuses: a permanent failure (sending again goes to the same place). */
export class DestinationRefusedError extends Error {
  override readonly name = 'DestinationRefusedError';
  readonly code = 'E_DESTINATION_REFUSED';

  constructor(
    readonly host: string,
    /** The class of the address (or name): `loopback`, `private`, `link-local`, `cloud metadata`... */
    readonly range: string,
    readonly address?: string,
  ) {
    super(`${host}${address !== undefined && address !== host ? ` -> ${address}` : ''} is ${range}, not in WEBHOOK_ALLOW_HOSTS`);
  }
}

/** True for the error the guard gives (checked by code: errors may cross realms, see http-errors.ts). */
export function isDestinationRefused(error: unknown): error is DestinationRefusedError {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'E_DESTINATION_REFUSED';
}

/** Cloud metadata endpoints (AWS, GCP, Azure, Oracle: 169.254.169.254; AWS IPv6; Alibaba) and their names. */
const METADATA_ADDRESSES = ['169.254.169.254', 'fd00:ec2::254', '100.100.100.200'];
const METADATA_NAMES = new Set(['metadata.google.internal', 'metadata.goog', 'metadata']);

/** The refused ranges, by class; the first class that matches names the refusal. */
const REFUSED_RANGES: [range: string, subnets: [network: string, prefix: number][]][] = [
  ['cloud metadata', METADATA_ADDRESSES.map((address) => [address, isIP(address) === 4 ? 32 : 128])],
  [
    'unspecified',
    [
      ['0.0.0.0', 8],
      ['::', 128],
    ],
  ],
  [
    'loopback',
    [
      ['127.0.0.0', 8],
      ['::1', 128],
    ],
  ],
  [
    'private',
    [
      ['10.0.0.0', 8],
      ['172.16.0.0', 12],
      ['192.168.0.0', 16],
      ['fc00::', 7],
      ['fec0::', 10],
    ],
  ],
  ['shared address space (CGNAT)', [['100.64.0.0', 10]]],
  [
    'link-local',
    [
      ['169.254.0.0', 16],
      ['fe80::', 10],
    ],
  ],
  [
    'multicast',
    [
      ['224.0.0.0', 4],
      ['ff00::', 8],
    ],
  ],
  // 240/4 includes the broadcast address; 192.0.0/24 holds protocol assignments (and some providers' services).
  [
    'reserved',
    [
      ['240.0.0.0', 4],
      ['192.0.0.0', 24],
    ],
  ],
];

const REFUSED = REFUSED_RANGES.map(([range, subnets]) => {
  const list = new BlockList();
  for (const [network, prefix] of subnets) list.addSubnet(network, prefix, isIP(network) === 4 ? 'ipv4' : 'ipv6');
  return [range, list] as const;
});

/**
 * IPv6 forms that carry an IPv4 address in their last 32 bits: IPv4-mapped (::ffff:0:0/96), NAT64
 * (64:ff9b::/96, which a NAT64 gateway forwards to that IPv4 address) and the deprecated IPv4-compatible
 * form (::/96). They are judged by the IPv4 address they carry.
 */
const EMBEDDING_PREFIXES: [prefix: number[], form: string][] = [
  [[0, 0, 0, 0, 0, 0xffff], 'IPv4-mapped'],
  [[0x64, 0xff9b, 0, 0, 0, 0], 'NAT64'],
  [[0, 0, 0, 0, 0, 0], 'IPv4-compatible'],
];

/** The class of a refused address, or undefined when the address is public. */
export function refusedRange(address: string): string | undefined {
  const family = isIP(address);
  if (family === 0) return 'not an IP address';
  if (family === 6) {
    const embedded = embeddedIpv4(address);
    if (embedded !== undefined) {
      const range = refusedRange(embedded.address);
      return range === undefined ? undefined : `${range} (${embedded.form} ${embedded.address})`;
    }
  }
  const type = family === 4 ? 'ipv4' : 'ipv6';
  return REFUSED.find(([, list]) => list.check(address, type))?.[0];
}

function embeddedIpv4(address: string): { address: string; form: string } | undefined {
  const words = hextets(address);
  // `::` and `::1` are IPv6's own unspecified and loopback addresses, not IPv4-compatible ones.
  if (words.slice(0, 7).every((word) => word === 0) && words[7]! <= 1) return undefined;
  const match = EMBEDDING_PREFIXES.find(([prefix]) => prefix.every((word, i) => words[i] === word));
  if (match === undefined) return undefined;
  const [high, low] = [words[6]!, words[7]!];
  return { address: [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.'), form: match[1] };
}

/** The eight 16-bit words of a valid IPv6 address (a trailing dotted IPv4 part included). */
function hextets(address: string): number[] {
  let text = address.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const words = (part: string) => (part === '' ? [] : part.split(':'));
  const zeros = tail === undefined ? [] : Array<string>(8 - words(head).length - words(tail).length).fill('0');
  return [...words(head), ...zeros, ...words(tail ?? '')].map((word) => parseInt(word, 16));
}

/** The allow list: host names pass by name, IPs and CIDRs by the address connected to. */
interface AllowList {
  names: Set<string>;
  addresses: BlockList;
}

/** Host names compare lower-case without the trailing dot of a fully qualified name; IPv6 without brackets. */
function normalHost(host: string): string {
  return host
    .toLowerCase()
    .replace(/\.$/, '')
    .replace(/^\[(.*)\]$/, '$1');
}

/** Reads WEBHOOK_ALLOW_HOSTS entries: host names, IPs and CIDRs (`10.0.0.0/8`, `fd00::/8`). */
export function parseAllowList(entries: readonly string[]): AllowList {
  const allow: AllowList = { names: new Set(), addresses: new BlockList() };
  for (const entry of entries.map((e) => normalHost(e.trim())).filter(Boolean)) {
    const [network = '', prefix] = entry.split('/');
    const family = isIP(network);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (prefix !== undefined) {
      const bits = Number(prefix);
      if (family === 0 || !/^\d+$/.test(prefix) || bits > (family === 4 ? 32 : 128)) throw new Error(`"${entry}" is not a CIDR`);
      allow.addresses.addSubnet(network, bits, type);
    } else if (family !== 0) {
      allow.addresses.addAddress(network, type);
    } else {
      allow.names.add(entry);
    }
  }
  return allow;
}

export interface OutboundGuard {
  /** What can be judged before connecting: the scheme, a metadata host name, an IP literal. */
  checkUrl(url: URL): DestinationRefusedError | undefined;
  /** The socket's `lookup`: resolves the name, then refuses it when any of its addresses is refused. */
  lookup: LookupFunction;
}

export interface OutboundGuardOptions {
  /** WEBHOOK_ALLOW_HOSTS: host names, IPs or CIDRs that pass the guard. */
  allowHosts?: readonly string[];
  /** The resolver; the system's (`dns.lookup`, as sockets use) unless set. */
  resolve?: ResolveHost;
}

export function createOutboundGuard(options: OutboundGuardOptions = {}): OutboundGuard {
  const allow = parseAllowList(options.allowHosts ?? []);

  function checkAddress(host: string, address: string): DestinationRefusedError | undefined {
    if (allow.addresses.check(address, isIP(address) === 4 ? 'ipv4' : 'ipv6')) return undefined;
    const range = refusedRange(address);
    return range === undefined ? undefined : new DestinationRefusedError(host, range, address);
  }

  function checkName(host: string): DestinationRefusedError | undefined {
    return METADATA_NAMES.has(host) ? new DestinationRefusedError(host, 'cloud metadata') : undefined;
  }

  async function resolveChecked(hostname: string, family: number): Promise<{ address: string; family: number }[]> {
    const host = normalHost(hostname);
    const resolved = options.resolve ? await options.resolve(hostname) : await dnsLookup(hostname, { all: true, family });
    const addresses = resolved.filter((entry) => family === 0 || entry.family === family);
    if (addresses.length === 0) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname });
    if (allow.names.has(host)) return addresses;
    const refusal = checkName(host) ?? addresses.map((entry) => checkAddress(host, entry.address)).find(Boolean);
    // One refused address refuses the name: a name mixing public and private addresses is not to be trusted.
    if (refusal) throw refusal;
    return addresses;
  }

  return {
    checkUrl(url) {
      if (url.protocol !== 'http:' && url.protocol !== 'https:') return new DestinationRefusedError(url.protocol, 'not http(s)');
      const host = normalHost(url.hostname);
      if (allow.names.has(host)) return undefined;
      return isIP(host) === 0 ? checkName(host) : checkAddress(host, host);
    },
    lookup(hostname, lookupOptions, callback) {
      const family = lookupOptions.family === 'IPv4' ? 4 : lookupOptions.family === 'IPv6' ? 6 : (lookupOptions.family ?? 0);
      resolveChecked(hostname, family).then(
        (addresses) => {
          // With `all` (happy eyeballs, Node's default) the socket tries each address; otherwise the first.
          if (lookupOptions.all) callback(null, addresses);
          else callback(null, addresses[0]!.address, addresses[0]!.family);
        },
        (error: NodeJS.ErrnoException) => callback(error, ''),
      );
    },
  };
}
