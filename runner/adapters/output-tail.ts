// The last bytes an implementation wrote to its standard error (or a worker to its console),
// kept bounded so a chatty implementation costs no memory, shown when it fails (CONTRACT.md 5).

export class OutputTail {
  private chunks: Buffer[] = [];
  private size = 0;
  private dropped = false;

  constructor(private readonly limit = 2048) {}

  push(chunk: Buffer): void {
    if (chunk.length >= this.limit) {
      this.dropped ||= this.size > 0 || chunk.length > this.limit;
      this.chunks = [chunk.subarray(chunk.length - this.limit)];
      this.size = this.limit;
      return;
    }
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size - this.chunks[0]!.length >= this.limit) {
      this.size -= this.chunks.shift()!.length;
      this.dropped = true;
    }
  }

  /** The tail as text, at most `limit` bytes, "..." first when older output was dropped. */
  text(): string {
    let buf = Buffer.concat(this.chunks);
    const cut = this.dropped || buf.length > this.limit;
    if (buf.length > this.limit) buf = buf.subarray(buf.length - this.limit);
    const s = buf.toString('utf8').replace(/\s+$/, '');
    return cut ? `...${s}` : s;
  }
}
