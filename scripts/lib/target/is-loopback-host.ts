/**
 * Loopback detection for the plain-http guard. Traffic to these hosts never leaves the machine,
 * so credentials sent over http:// to them cannot be sniffed on a network.
 */

/**
 * True for `localhost`, any IPv4 address in 127.0.0.0/8, `::1` (in any spelling, with or without
 * brackets) and IPv4-mapped `::ffff:127.x.y.z`. Names such as `foo.localhost` are not accepted:
 * whether they resolve to loopback depends on the resolver, and the guard must not guess.
 */
export function isLoopbackHost(host: string): boolean {
  let h = host.trim().toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h.endsWith('.') && !h.includes(':')) h = h.slice(0, -1);
  if (h === 'localhost') return true;
  if (isLoopbackIPv4(h)) return true;
  const groups = expandIPv6(h);
  if (!groups) return false;
  const allZero = (from: number, to: number): boolean => groups.slice(from, to).every((g) => g === 0);
  if (allZero(0, 7) && groups[7] === 1) return true;
  // ::ffff:127.0.0.1 (how WHATWG URL prints it: ::ffff:7f00:1) is IPv4 loopback carried in IPv6.
  return allZero(0, 5) && groups[5] === 0xffff && (groups[6] ?? 0) >> 8 === 127;
}

function isLoopbackIPv4(h: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  if (!m) return false;
  const octets = m.slice(1).map(Number);
  return octets.every((o) => o <= 255) && octets[0] === 127;
}

/** The eight 16-bit groups of an IPv6 address, or undefined when it is not one. */
function expandIPv6(h: string): number[] | undefined {
  if (!h.includes(':') || h.includes('%')) return undefined;
  let text = h;
  const tail: number[] = [];
  const v4 = /^(.*:)(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (v4) {
    const o = v4.slice(2).map(Number);
    if (o.some((x) => x > 255)) return undefined;
    tail.push(((o[0] ?? 0) << 8) | (o[1] ?? 0), ((o[2] ?? 0) << 8) | (o[3] ?? 0));
    text = `${v4[1]}0`; // placeholder group, replaced by the two tail groups below
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (!/^[0-9a-f]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parse(halves[0] ?? '');
  const rest = halves.length === 2 ? parse(halves[1] ?? '') : [];
  if (!head || !rest) return undefined;
  if (tail.length > 0) {
    // Drop the placeholder group and append the IPv4 groups.
    if (rest.length > 0) rest.pop();
    else head.pop();
  }
  const explicit = head.length + rest.length + tail.length;
  if (halves.length === 1) return explicit === 8 ? [...head, ...tail] : undefined;
  if (explicit > 7) return undefined;
  return [...head, ...new Array<number>(8 - explicit).fill(0), ...rest, ...tail];
}
