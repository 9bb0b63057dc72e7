/**
 * The arguments of one Redis write script as a single MessagePack array of
 * strings, which the script opens with Redis's built-in `cmsgpack.unpack`.
 *
 * Why: a record write has 30–60 arguments, and a client spends most of its
 * time per command on per-argument work (RESP framing builds several strings
 * per argument). One binary argument made here in a single buffer cut that
 * work, and the garbage it leaves, by more than the whole script costs Redis.
 *
 * Only what the scripts need: an array (fixarray/array16/array32) of UTF-8
 * strings (fixstr/str8/str16/str32). Strings are encoded exactly as a client
 * would send them as separate arguments (`Buffer.byteLength`/`write`, UTF-8,
 * lone surrogates as U+FFFD), so a script sees the same bytes either way.
 */
export function packArgs(args: ReadonlyArray<string | number>): Buffer {
  const count = args.length;
  const strings = new Array<string>(count);
  const lengths = new Array<number>(count);
  let size = 5;
  for (let i = 0; i < count; i++) {
    const s = String(args[i]);
    const n = Buffer.byteLength(s, 'utf8');
    strings[i] = s;
    lengths[i] = n;
    size += n + 5;
  }
  const buf = Buffer.allocUnsafe(size);
  let o = 0;
  if (count < 16) {
    buf[o++] = 0x90 | count;
  } else if (count < 0x10000) {
    buf[o++] = 0xdc;
    o = buf.writeUInt16BE(count, o);
  } else {
    buf[o++] = 0xdd;
    o = buf.writeUInt32BE(count, o);
  }
  for (let i = 0; i < count; i++) {
    const n = lengths[i]!;
    if (n < 32) {
      buf[o++] = 0xa0 | n;
    } else if (n < 0x100) {
      buf[o++] = 0xd9;
      buf[o++] = n;
    } else if (n < 0x10000) {
      buf[o++] = 0xda;
      o = buf.writeUInt16BE(n, o);
    } else {
      buf[o++] = 0xdb;
      o = buf.writeUInt32BE(n, o);
    }
    if (n > 0) o += buf.write(strings[i]!, o, n, 'utf8');
  }
  return buf.subarray(0, o);
}
