<?php
/**
 * The measurement behind "translate to PHP" rather than "interpret": the same
 * wasm loop run (a) by a tight switch-dispatch interpreter over pre-decoded
 * int arrays (the fastest interpreter shape we know for PHP 8), and (b) as
 * the closure the runtime's Compiler generates. Prints wasm instructions per
 * second for both. Usage: php -d opcache.enable_cli=1 dispatch-bench.php
 */

declare(strict_types=1);

require dirname(__DIR__, 2) . '/wordpress-plugin/session-warden/runtime/autoload.php';

use SessionWarden\Wasm\CompiledModule;
use SessionWarden\Wasm\Instance;

// (func (param $n i32) (result i32) (local $acc i32) (local $i i32)
//   (loop $l
//     (local.set $acc (i32.xor (i32.add (local.get $acc) (local.get $i)) (i32.const 0x5bd1e995)))
//     (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
//   (local.get $acc))
$body = "\x01\x02\x7f"                                         // 2 i32 locals
	. "\x03\x40"                                                   // loop
	. "\x20\x01\x20\x02\x6a\x41\x95\xd3\xc7\xde\x05\x73\x21\x01"   // acc = (acc + i) ^ 0x5bd1e995
	. "\x20\x02\x41\x01\x6a\x22\x02\x20\x00\x49\x0d\x00"         // br_if (i = i + 1) < n
	. "\x0b\x20\x01\x0b";
$code = "\x01" . chr(strlen($body)) . $body;
$wasm = "\0asm\x01\0\0\0"
	. "\x01\x06\x01\x60\x01\x7f\x01\x7f"   // type (i32) -> i32
	. "\x03\x02\x01\x00"                    // func 0: type 0
	. "\x07\x07\x01\x03run\x00\x00"         // export "run"
	. "\x0a" . chr(strlen($code)) . $code;
$n          = 1000000;
$perIter    = 13; // wasm instructions per loop iteration

// (b) translated.
$inst = new Instance(CompiledModule::fromBinary($wasm));
$t    = hrtime(true);
$r1   = $inst->invoke('run', array($n))[0];
$tb   = (hrtime(true) - $t) / 1e9;

// (a) interpreter: the same body pre-decoded to [op, imm, op, imm, ...].
const OP_GET = 0, OP_SET = 1, OP_TEE = 2, OP_CONST = 3, OP_ADD = 4, OP_XOR = 5, OP_LTU = 6, OP_BRIF = 7, OP_END = 8;
$code = array(OP_GET, 1, OP_GET, 2, OP_ADD, 0, OP_CONST, 0x5bd1e995, OP_XOR, 0, OP_SET, 1, OP_GET, 2, OP_CONST, 1, OP_ADD, 0, OP_TEE, 2, OP_GET, 0, OP_LTU, 0, OP_BRIF, 0, OP_GET, 1, OP_END, 0);
function interp(array $code, array $loc): int {
	$st = array();
	$sp = 0;
	$pc = 0;
	while (true) {
		$imm = $code[$pc + 1];
		switch ($code[$pc]) {
			case OP_GET: $st[$sp++] = $loc[$imm]; break;
			case OP_SET: $loc[$imm] = $st[--$sp]; break;
			case OP_TEE: $loc[$imm] = $st[$sp - 1]; break;
			case OP_CONST: $st[$sp++] = $imm; break;
			case OP_ADD: $b = $st[--$sp]; $st[$sp - 1] = ($st[$sp - 1] + $b) & 0xFFFFFFFF; break;
			case OP_XOR: $b = $st[--$sp]; $st[$sp - 1] ^= $b; break;
			case OP_LTU: $b = $st[--$sp]; $st[$sp - 1] = $st[$sp - 1] < $b ? 1 : 0; break;
			case OP_BRIF: if ($st[--$sp] !== 0) { $pc = $imm; continue 2; } break;
			case OP_END: return $st[--$sp];
		}
		$pc += 2;
	}
}
$t  = hrtime(true);
$r2 = interp($code, array($n, 0, 0));
$ta = (hrtime(true) - $t) / 1e9;

printf("interpreter: %6.1f M wasm instr/s (%.0f ms)\n", $n * $perIter / $ta / 1e6, $ta * 1000);
printf("translated:  %6.1f M wasm instr/s (%.0f ms)  %.1fx faster%s\n", $n * $perIter / $tb / 1e6, $tb * 1000, $ta / $tb, $r1 === $r2 ? '' : '  RESULTS DIFFER');
