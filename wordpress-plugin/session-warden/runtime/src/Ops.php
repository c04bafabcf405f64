<?php

declare(strict_types=1);

namespace SessionWarden\Wasm;

/**
 * Helpers called from generated code for the operations that do not fit in
 * one PHP expression: 64-bit wrap-around (PHP turns an overflowing int into a
 * float), unsigned 64-bit division, bit counts, float edge cases, traps.
 *
 * i32 values are ints in [0, 2^32); i64 values are PHP's signed ints.
 */
final class Ops {

	private const M32 = 0xFFFFFFFF;

	// ---- traps ---------------------------------------------------------

	/** @return never */
	public static function unreachable() {
		throw new Trap('unreachable');
	}

	/** @return never */
	public static function oob() {
		throw new Trap('out of bounds memory access');
	}

	/** @return never */
	public static function uninitializedElement() {
		throw new Trap('uninitialized element (undefined element)');
	}

	/** @return never */
	public static function indirectMismatch() {
		throw new Trap('indirect call type mismatch');
	}

	/** @return never */
	public static function exhausted() {
		throw new Trap('call stack exhausted', Trap::KIND_EXHAUSTION);
	}

	// ---- i32 ------------------------------------------------------------------

	public static function divS32(int $a, int $b): int {
		if (0 === $b) {
			throw new Trap('integer divide by zero');
		}
		if (0x80000000 === $a && self::M32 === $b) {
			throw new Trap('integer overflow');
		}
		return intdiv((($a ^ 0x80000000) - 0x80000000), (($b ^ 0x80000000) - 0x80000000)) & self::M32;
	}

	public static function clz32(int $a): int {
		if (0 === $a) {
			return 32;
		}
		$n = 0;
		if ($a <= 0xFFFF) {
			$n += 16;
			$a <<= 16;
		}
		if ($a <= 0xFFFFFF) {
			$n += 8;
			$a <<= 8;
		}
		if ($a <= 0xFFFFFFF) {
			$n += 4;
			$a <<= 4;
		}
		if ($a <= 0x3FFFFFFF) {
			$n += 2;
			$a <<= 2;
		}
		if ($a <= 0x7FFFFFFF) {
			$n += 1;
		}
		return $n;
	}

	public static function ctz32(int $a): int {
		if (0 === $a) {
			return 32;
		}
		return self::popcnt32(($a & -$a) - 1);
	}

	public static function popcnt32(int $a): int {
		$a = $a - (($a >> 1) & 0x55555555);
		$a = ($a & 0x33333333) + (($a >> 2) & 0x33333333);
		$a = ($a + ($a >> 4)) & 0x0F0F0F0F;
		return (($a * 0x01010101) & self::M32) >> 24;
	}

	public static function rotl32(int $a, int $b): int {
		$b &= 31;
		return (($a << $b) | ($a >> (32 - $b))) & self::M32;
	}

	public static function rotr32(int $a, int $b): int {
		$b &= 31;
		return (($a >> $b) | ($a << (32 - $b))) & self::M32;
	}

	// ---- i64 ------------------------------------------------------------------

	public static function add64(int $a, int $b): int {
		$lo = ($a & self::M32) + ($b & self::M32);
		$hi = (($a >> 32) + ($b >> 32) + ($lo >> 32)) & self::M32;
		return ($hi << 32) | ($lo & self::M32);
	}

	public static function sub64(int $a, int $b): int {
		return self::add64($a, self::add64(~$b, 1));
	}

	public static function mul64(int $a, int $b): int {
		$al = $a & self::M32;
		$ah = ($a >> 32) & self::M32;
		$bl = $b & self::M32;
		$bh = ($b >> 32) & self::M32;
		// Products of two 32-bit halves can reach 2^64: split bl in 16-bit halves.
		$low   = $al * ($bl & 0xFFFF);
		$mid   = $al * ($bl >> 16);
		$lo32  = ($low & self::M32) + (($mid & 0xFFFF) << 16);
		$carry = ($low >> 32) + ($mid >> 16) + ($lo32 >> 32);
		$hi    = ($carry + self::mulLo32($ah, $bl) + self::mulLo32($al, $bh)) & self::M32;
		return ($hi << 32) | ($lo32 & self::M32);
	}

	/** Low 32 bits of the product of two u32. */
	private static function mulLo32(int $x, int $y): int {
		return (((($x * ($y >> 16)) & 0xFFFF) << 16) + $x * ($y & 0xFFFF)) & self::M32;
	}

	public static function shrU64(int $a, int $b): int {
		$b &= 63;
		if (0 === $b) {
			return $a;
		}
		return ($a >> $b) & (PHP_INT_MAX >> ($b - 1));
	}

	public static function rotl64(int $a, int $b): int {
		$b &= 63;
		if (0 === $b) {
			return $a;
		}
		return ($a << $b) | self::shrU64($a, 64 - $b);
	}

	public static function rotr64(int $a, int $b): int {
		$b &= 63;
		if (0 === $b) {
			return $a;
		}
		return self::shrU64($a, $b) | ($a << (64 - $b));
	}

	public static function divU64(int $a, int $b): int {
		if (0 === $b) {
			throw new Trap('integer divide by zero');
		}
		if ($a >= 0 && $b > 0) {
			return intdiv($a, $b);
		}
		if ($b < 0) { // Divisor >= 2^63: the quotient is 0 or 1.
			return (($a ^ PHP_INT_MIN) >= ($b ^ PHP_INT_MIN)) ? 1 : 0;
		}
		// Dividend >= 2^63, divisor < 2^63: halve, divide, fix up.
		$q = intdiv(self::shrU64($a, 1), $b) << 1;
		$r = self::sub64($a, self::mul64($q, $b));
		if (($r ^ PHP_INT_MIN) >= ($b ^ PHP_INT_MIN)) {
			$q++;
		}
		return $q;
	}

	public static function remU64(int $a, int $b): int {
		if (0 === $b) {
			throw new Trap('integer divide by zero');
		}
		if ($a >= 0 && $b > 0) {
			return $a % $b;
		}
		return self::sub64($a, self::mul64(self::divU64($a, $b), $b));
	}

	public static function clz64(int $a): int {
		$hi = ($a >> 32) & self::M32;
		return 0 === $hi ? 32 + self::clz32($a & self::M32) : self::clz32($hi);
	}

	public static function ctz64(int $a): int {
		$lo = $a & self::M32;
		return 0 === $lo ? 32 + self::ctz32(($a >> 32) & self::M32) : self::ctz32($lo);
	}

	public static function popcnt64(int $a): int {
		return self::popcnt32($a & self::M32) + self::popcnt32(($a >> 32) & self::M32);
	}

	// ---- floats ------------------------------------------------------------------

	/** Round to single precision (PHP floats are doubles). */
	public static function f32(float $x): float {
		return unpack('g', pack('g', $x))[1];
	}

	/*
	 * f32 values live in doubles. A NaN's payload is carried explicitly in the
	 * top of the double's payload, because converting through pack('g')
	 * would quiet a signalling NaN and reinterpret must preserve every bit.
	 */
	public static function f32Bits(float $x): int {
		if (is_nan($x)) {
			$b = self::f64Bits($x);
			return (($b >> 32) & 0x80000000) | 0x7F800000 | (($b >> 29) & 0x7FFFFF);
		}
		return unpack('V', pack('g', $x))[1];
	}

	public static function f32FromBits(int $b): float {
		if (0x7F800000 === ($b & 0x7F800000) && 0 !== ($b & 0x7FFFFF)) {
			return self::f64FromBits((($b & 0x80000000) << 32) | 0x7FF0000000000000 | (($b & 0x7FFFFF) << 29));
		}
		return unpack('g', pack('V', $b))[1];
	}

	public static function f64Bits(float $x): int {
		return unpack('q', pack('e', $x))[1];
	}

	public static function f64FromBits(int $b): float {
		return unpack('e', pack('q', $b))[1];
	}

	public static function fabs(float $x): float {
		return is_nan($x) ? self::withSign($x, false) : abs($x);
	}

	public static function fneg(float $x): float {
		return is_nan($x) ? self::withSign($x, !self::signBit($x)) : -$x;
	}

	public static function copysign(float $a, float $b): float {
		return self::withSign($a, self::signBit($b));
	}

	private static function signBit(float $x): bool {
		return self::f64Bits($x) < 0;
	}

	private static function withSign(float $x, bool $neg): float {
		$bits = self::f64Bits($x) & PHP_INT_MAX;
		return self::f64FromBits($neg ? $bits | PHP_INT_MIN : $bits);
	}

	public static function fmin(float $a, float $b): float {
		if (is_nan($a) || is_nan($b)) {
			return NAN;
		}
		if ($a == $b) { // -0 vs +0: min is -0.
			return self::signBit($a) ? $a : $b;
		}
		return $a < $b ? $a : $b;
	}

	public static function fmax(float $a, float $b): float {
		if (is_nan($a) || is_nan($b)) {
			return NAN;
		}
		if ($a == $b) {
			return self::signBit($a) ? $b : $a;
		}
		return $a > $b ? $a : $b;
	}

	// NaN results go through an arithmetic op: that quiets a signalling NaN, as wasm requires.
	public static function ftrunc(float $x): float {
		if (is_nan($x) || is_infinite($x)) {
			return $x * 1.0;
		}
		$r = $x < 0 ? ceil($x) : floor($x);
		return self::withSign($r, self::signBit($x));
	}

	public static function fnearest(float $x): float {
		if (is_nan($x) || is_infinite($x) || abs($x) >= 4503599627370496.0) {
			return $x * 1.0;
		}
		$f = floor($x);
		$d = $x - $f;
		if ($d > 0.5 || (0.5 == $d && 0.0 != fmod($f, 2.0))) {
			$f += 1.0;
		}
		return self::withSign($f, self::signBit($x));
	}

	public static function truncS32(float $x): int {
		if (is_nan($x)) {
			throw new Trap('invalid conversion to integer');
		}
		if ($x <= -2147483649.0 || $x >= 2147483648.0) {
			throw new Trap('integer overflow');
		}
		return ((int) $x) & self::M32;
	}

	public static function truncU32(float $x): int {
		if (is_nan($x)) {
			throw new Trap('invalid conversion to integer');
		}
		if ($x <= -1.0 || $x >= 4294967296.0) {
			throw new Trap('integer overflow');
		}
		return (int) $x;
	}

	public static function truncS64(float $x): int {
		if (is_nan($x)) {
			throw new Trap('invalid conversion to integer');
		}
		if ($x < -9223372036854775808.0 || $x >= 9223372036854775808.0) {
			throw new Trap('integer overflow');
		}
		return (int) $x;
	}

	public static function truncU64(float $x): int {
		if (is_nan($x)) {
			throw new Trap('invalid conversion to integer');
		}
		if ($x <= -1.0 || $x >= 18446744073709551616.0) {
			throw new Trap('integer overflow');
		}
		if ($x >= 9223372036854775808.0) {
			return ((int) ($x - 9223372036854775808.0)) | PHP_INT_MIN;
		}
		return (int) $x;
	}

	public static function satS32(float $x): int {
		if (is_nan($x)) {
			return 0;
		}
		if ($x <= -2147483648.0) {
			return 0x80000000;
		}
		if ($x >= 2147483647.0) {
			return 0x7FFFFFFF;
		}
		return ((int) $x) & self::M32;
	}

	public static function satU32(float $x): int {
		if (is_nan($x) || $x <= 0.0) {
			return 0;
		}
		if ($x >= 4294967295.0) {
			return self::M32;
		}
		return (int) $x;
	}

	public static function satS64(float $x): int {
		if (is_nan($x)) {
			return 0;
		}
		if ($x <= -9223372036854775808.0) {
			return PHP_INT_MIN;
		}
		if ($x >= 9223372036854775808.0) {
			return PHP_INT_MAX;
		}
		return (int) $x;
	}

	public static function satU64(float $x): int {
		if (is_nan($x) || $x <= 0.0) {
			return 0;
		}
		if ($x >= 18446744073709551616.0) {
			return -1;
		}
		return self::truncU64($x);
	}

	/** i64 -> f32 with one rounding (going through a double would round twice). */
	public static function f32FromI64(int $a): float {
		if ($a >= -16777216 && $a <= 16777216) {
			return (float) $a;
		}
		if (PHP_INT_MIN === $a) {
			return -9223372036854775808.0;
		}
		$neg = $a < 0;
		$u   = $neg ? -$a : $a;
		$f   = self::f32FromU64($u);
		return $neg ? -$f : $f;
	}

	public static function f32FromU64(int $a): float {
		if ($a >= 0 && $a <= 16777216) {
			return (float) $a;
		}
		// Keep 25 significant bits plus a sticky bit, so the conversion to
		// double is exact and only the final f32 rounding happens.
		$bits = 64 - self::clz64($a);
		$drop = $bits - 26;
		if ($drop > 0) {
			$sticky = ($a & ((1 << $drop) - 1)) !== 0 ? 1 : 0;
			$a      = self::shrU64($a, $drop) | $sticky;
			return self::f32($a * (float) (2 ** $drop));
		}
		return self::f32((float) $a);
	}

	public static function f64FromU64(int $a): float {
		if ($a >= 0) {
			return (float) $a;
		}
		// Halve keeping the low bit as sticky so the rounding stays correct.
		return ((float) (self::shrU64($a, 1) | ($a & 1))) * 2.0;
	}

	// ---- bulk memory -------------------------------------------------------------------

	/** Below this length a byte loop beats rebuilding the whole memory string. */
	private const BULK_LOOP_MAX = 512;

	public static function copy(string &$m, int $dst, int $src, int $n): void {
		$len = strlen($m);
		if ($src + $n > $len || $dst + $n > $len) {
			throw new Trap('out of bounds memory access');
		}
		if (0 === $n || $src === $dst) {
			return;
		}
		if ($n > self::BULK_LOOP_MAX) {
			$m = substr_replace($m, substr($m, $src, $n), $dst, $n);
			return;
		}
		if ($dst < $src || $dst >= $src + $n) {
			for ($i = 0; $i < $n; $i++) {
				$m[$dst + $i] = $m[$src + $i];
			}
		} else {
			for ($i = $n - 1; $i >= 0; $i--) {
				$m[$dst + $i] = $m[$src + $i];
			}
		}
	}

	public static function fill(string &$m, int $dst, int $val, int $n): void {
		if ($dst + $n > strlen($m)) {
			throw new Trap('out of bounds memory access');
		}
		if (0 === $n) {
			return;
		}
		$c = chr($val);
		if ($n > self::BULK_LOOP_MAX) {
			$m = substr_replace($m, str_repeat($c, $n), $dst, $n);
			return;
		}
		for ($i = 0; $i < $n; $i++) {
			$m[$dst + $i] = $c;
		}
	}
}
