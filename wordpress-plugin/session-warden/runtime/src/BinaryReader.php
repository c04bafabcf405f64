<?php

declare(strict_types=1);

namespace SessionWarden\Wasm;

/**
 * Cursor over a wasm binary: LEB128 and the other primitive encodings.
 *
 * Works on the whole file string with an offset so sections and function
 * bodies are never copied out.
 */
final class BinaryReader {

	public string $data;
	public int $pos;
	public int $end;

	public function __construct(string $data, int $pos = 0, ?int $end = null) {
		$this->data = $data;
		$this->pos  = $pos;
		$this->end  = $end ?? strlen($data);
	}

	public function eof(): bool {
		return $this->pos >= $this->end;
	}

	public function byte(): int {
		if ($this->pos >= $this->end) {
			throw new ModuleError('unexpected end of section or function');
		}
		return ord($this->data[$this->pos++]);
	}

	public function bytes(int $n): string {
		if ($n < 0 || $this->pos + $n > $this->end) {
			throw new ModuleError('unexpected end of section or function');
		}
		$s          = substr($this->data, $this->pos, $n);
		$this->pos += $n;
		return $s;
	}

	/** Unsigned LEB128 of at most $bits bits (u32 by default). */
	public function u32(int $bits = 32): int {
		$result = 0;
		$shift  = 0;
		while (true) {
			$b       = $this->byte();
			$result |= ($b & 0x7F) << $shift;
			if (0 === ($b & 0x80)) {
				break;
			}
			$shift += 7;
			if ($shift >= $bits) {
				throw new ModuleError('integer representation too long');
			}
		}
		// Unused bits of the last byte must be zero.
		if ($shift + 7 > $bits && ($b >> ($bits - $shift)) !== 0) {
			throw new ModuleError('integer too large');
		}
		return $result;
	}

	/** Signed LEB128, $bits is 32 or 64; the value is returned sign-extended. */
	public function sleb(int $bits): int {
		$result = 0;
		$shift  = 0;
		$maxBytes = intdiv($bits + 6, 7);
		for ($i = 0; ; $i++) {
			if ($i >= $maxBytes) {
				throw new ModuleError('integer representation too long');
			}
			$b = $this->byte();
			if ($shift < 64) {
				$result |= ($b & 0x7F) << $shift;
			}
			$shift += 7;
			if (0 === ($b & 0x80)) {
				break;
			}
		}
		if ($i === $maxBytes - 1) {
			// The last byte's unused bits must all equal the sign bit.
			$used  = $bits - 7 * ($maxBytes - 1);
			$rest  = ($b & 0x7F) >> ($used - 1);
			$limit = (1 << (7 - $used + 1)) - 1;
			if (0 !== $rest && $limit !== $rest) {
				throw new ModuleError('integer too large');
			}
		}
		if ($shift < 64 && ($b & 0x40)) {
			$result |= -1 << $shift;
		}
		if (32 === $bits) {
			$result = (($result & 0xFFFFFFFF) ^ 0x80000000) - 0x80000000;
		}
		return $result;
	}

	public function name(): string {
		$n = $this->u32();
		$s = $this->bytes($n);
		if (1 !== preg_match('//u', $s)) {
			throw new ModuleError('malformed UTF-8 encoding');
		}
		return $s;
	}
}
