<?php
/**
 * Runs one wast2json-converted spec test file against the PHP runtime.
 *
 * Usage: php spec.php <file.json> <spectest.wasm> [-v]
 * Prints one line: "<name> <passed> <failed> <skipped>" (and failures with -v).
 * Counted: every module command (decode + validate + instantiate), assert_return, assert_trap, assert_exhaustion, assert_invalid,
 * binary assert_malformed, assert_uninstantiable, assert_unlinkable.
 * Text-format assert_malformed is a parser test of the text format: skipped.
 */

declare(strict_types=1);

require dirname(__DIR__, 2) . '/wordpress-plugin/session-warden/runtime/autoload.php';

use SessionWarden\Wasm\CompiledModule;
use SessionWarden\Wasm\Instance;
use SessionWarden\Wasm\LinkError;
use SessionWarden\Wasm\ModuleError;
use SessionWarden\Wasm\Ops;
use SessionWarden\Wasm\Trap;

ini_set('memory_limit', '2G');

$file     = $argv[1];
$spectest = $argv[2];
$verbose  = in_array('-v', $argv, true);
$dir      = dirname($file);
$spec     = json_decode((string) file_get_contents($file), true);

$passed  = 0;
$failed  = 0;
$skipped = 0;
$fails   = array();

$registry = array();
$st       = new Instance(CompiledModule::fromBinary((string) file_get_contents($spectest)));
foreach ($st->code->module->exports as $name => $unused) {
	$registry['spectest'][$name] = $st->export($name);
}
$current = null;
$named   = array();

function u64(string $s): int {
	if (strlen($s) < 19) {
		return (int) $s;
	}
	$v = 0;
	foreach (str_split($s) as $c) {
		$v = Ops::add64(Ops::mul64($v, 10), (int) $c);
	}
	return $v;
}

function arg(array $a) {
	switch ($a['type']) {
		case 'i32':
			return (int) $a['value'];
		case 'i64':
			return u64($a['value']);
		case 'f32':
			return Ops::f32FromBits((int) $a['value']);
		case 'f64':
			return Ops::f64FromBits(u64($a['value']));
		case 'externref':
			return 'null' === $a['value'] ? null : array('extern', (int) $a['value']);
		case 'funcref':
			return null;
	}
	throw new RuntimeException('unsupported value type ' . $a['type']);
}

function matches(array $want, $got): bool {
	$v = $want['value'] ?? null;
	switch ($want['type']) {
		case 'i32':
			return is_int($got) && $got === (int) $v;
		case 'i64':
			return is_int($got) && $got === u64($v);
		case 'f32':
		case 'f64':
			if (!is_float($got)) {
				return false;
			}
			$is32 = 'f32' === $want['type'];
			$bits = $is32 ? Ops::f32Bits($got) : Ops::f64Bits($got);
			if ('nan:canonical' === $v) {
				return $is32 ? 0x7FC00000 === ($bits & 0x7FFFFFFF) : 0x7FF8000000000000 === ($bits & PHP_INT_MAX);
			}
			if ('nan:arithmetic' === $v) {
				return is_nan($got) && ($is32 ? ($bits & 0x00400000) : ($bits & 0x0008000000000000)) !== 0;
			}
			return $bits === ($is32 ? (int) $v : u64($v));
		case 'externref':
			return 'null' === $v ? null === $got : $got === array('extern', (int) $v);
		case 'funcref':
			return 'null' === $v ? null === $got : is_array($got);
	}
	return false;
}

function instantiate(string $path, array $registry): Instance {
	$code    = CompiledModule::fromBinary((string) file_get_contents($path));
	$imports = array();
	foreach ($code->module->imports as $imp) {
		if (isset($registry[$imp['module']][$imp['name']])) {
			$imports[$imp['module']][$imp['name']] = $registry[$imp['module']][$imp['name']];
		}
	}
	return new Instance($code, $imports, array());
}

function run(array $action, ?Instance $current, array $named): array {
	$inst = isset($action['module']) ? $named[$action['module']] : $current;
	if (null === $inst) {
		throw new RuntimeException('no module');
	}
	if ('get' === $action['type']) {
		return array($inst->global($action['field']));
	}
	return $inst->invoke($action['field'], array_map('arg', $action['args']));
}

foreach ($spec['commands'] as $cmd) {
	$line = $cmd['line'];
	$ok   = null;
	$why  = '';
	try {
		switch ($cmd['type']) {
			case 'module':
				$current = null;
				$current = instantiate($dir . '/' . $cmd['filename'], $registry);
				if (isset($cmd['name'])) {
					$named[$cmd['name']] = $current;
				}
				$ok = true; // Decoding, validating and instantiating a module counts as a check.
				break;
			case 'register':
				$inst = isset($cmd['name']) ? $named[$cmd['name']] : $current;
				foreach ($inst->code->module->exports as $name => $unused) {
					$registry[$cmd['as']][$name] = $inst->export($name);
				}
				break;
			case 'action':
				run($cmd['action'], $current, $named);
				break;
			case 'assert_return':
				$got = run($cmd['action'], $current, $named);
				$ok  = count($got) === count($cmd['expected']);
				foreach ($cmd['expected'] as $i => $want) {
					if (isset($want['either'])) {
						// Not produced for the files we run; treat as failure if met.
						$ok = false;
						continue;
					}
					if (!matches($want, $got[$i] ?? null)) {
						$ok = false;
					}
				}
				if (!$ok) {
					$why = 'got ' . json_encode(array_map(static fn($v) => is_float($v) ? sprintf('%.17g', $v) : $v, $got));
				}
				break;
			case 'assert_trap':
			case 'assert_exhaustion':
				try {
					run($cmd['action'], $current, $named);
					$ok  = false;
					$why = 'no trap, expected ' . $cmd['text'];
				} catch (Trap $t) {
					$ok = true;
				}
				break;
			case 'assert_invalid':
			case 'assert_malformed':
				if ('binary' !== ($cmd['module_type'] ?? 'binary')) {
					$skipped++;
					break;
				}
				try {
					CompiledModule::fromBinary((string) file_get_contents($dir . '/' . $cmd['filename']));
					$ok  = false;
					$why = 'accepted, expected ' . $cmd['text'];
				} catch (ModuleError $e) {
					$ok = true;
				}
				break;
			case 'assert_uninstantiable':
			case 'assert_unlinkable':
				try {
					instantiate($dir . '/' . $cmd['filename'], $registry);
					$ok  = false;
					$why = 'instantiated, expected ' . $cmd['text'];
				} catch (Trap | LinkError $e) {
					$ok = true;
				}
				break;
			default:
				$skipped++;
		}
	} catch (Throwable $e) {
		if ('register' === $cmd['type'] || 'action' === $cmd['type']) {
			$fails[] = "line $line: {$cmd['type']} failed: " . get_class($e) . ': ' . $e->getMessage();
			continue;
		}
		$ok  = false;
		$why = get_class($e) . ': ' . $e->getMessage();
	}
	if (true === $ok) {
		$passed++;
	} elseif (false === $ok) {
		$failed++;
		$fails[] = "line $line: {$cmd['type']} " . json_encode($cmd['action'] ?? $cmd['text'] ?? '') . " $why";
	}
}

printf("%s %d %d %d\n", basename($file, '.json'), $passed, $failed, $skipped);
if ($verbose) {
	foreach ($fails as $f) {
		echo '  ', $f, "\n";
	}
}
