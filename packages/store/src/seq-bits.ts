/**
 * A set of event seqs, one bit each: the control events of a log so far, against which a
 * posting's cause is checked, by the writer and by the decoder (a Set of numbers costs a hash
 * entry per event; a queue run has 300,000 control events).
 */
export class SeqBits {
  private bits = new Uint8Array(1 << 12)

  add(seq: number): void {
    const byte = Math.floor(seq / 8)
    if (byte >= this.bits.length) {
      const grown = new Uint8Array(Math.max(this.bits.length * 2, byte + 1))
      grown.set(this.bits)
      this.bits = grown
    }
    this.bits[byte]! |= 1 << seq % 8
  }

  has(seq: number): boolean {
    return ((this.bits[Math.floor(seq / 8)] ?? 0) & (1 << seq % 8)) !== 0
  }
}
