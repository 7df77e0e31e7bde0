/**
 * base64url (RFC 4648 §5) over UTF-8, written by hand because the Postman sandbox has no Buffer
 * and no TextEncoder; `atob`/`btoa` exist in both the sandbox and Node 20.
 */
declare function atob(data: string): string;
declare function btoa(data: string): string;

/** Decodes base64url to a UTF-8 string; undefined when it is not valid base64url or UTF-8. */
export function base64UrlDecode(segment: string): string | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(segment) || segment.length % 4 === 1) return undefined;
  const padded = segment.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((segment.length + 3) % 4);
  let binary: string;
  try {
    binary = atob(padded);
  } catch {
    return undefined;
  }
  return utf8Decode(binary);
}

/** Encodes a string as UTF-8 base64url without padding. */
export function base64UrlEncode(text: string): string {
  return btoa(utf8Encode(text)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function utf8Encode(text: string): string {
  // encodeURIComponent yields %XX for every UTF-8 byte of non-ASCII characters.
  return encodeURIComponent(text).replace(/%([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

function utf8Decode(binary: string): string | undefined {
  let percentEncoded = '';
  for (let i = 0; i < binary.length; i += 1) {
    percentEncoded += `%${binary.charCodeAt(i).toString(16).padStart(2, '0')}`;
  }
  try {
    return decodeURIComponent(percentEncoded);
  } catch {
    return undefined;
  }
}
