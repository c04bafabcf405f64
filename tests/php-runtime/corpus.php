<?php
/**
 * Equivalence: every decision case in tests/corpus/ through the PHP runtime.
 *
 * Usage: php corpus.php [-v] [engine.wasm]
 * A case is {"description", "request": {"op", "args"}, "reply"}; the reply the
 * runtime gives must equal "reply" as JSON values (object key order ignored,
 * integer and float kept apart, like serde_json's Value equality used by the
 * native corpus test). Prints "CORPUS <passed> <failed>" last.
 */

declare(strict_types=1);

require dirname(__DIR__, 2) . '/wordpress-plugin/session-warden/runtime/autoload.php';

use SessionWarden\Wasm\Engine;

$verbose = in_array('-v', $argv, true);
$args    = array_values(array_filter(array_slice($argv, 1), static fn($a) => '-v' !== $a));
$wasm    = $args[0] ?? dirname(__DIR__, 2) . '/build/engine/session-warden.wasm';

function json_equal($a, $b): bool {
	if ($a instanceof stdClass && $b instanceof stdClass) {
		$x = get_object_vars($a);
		$y = get_object_vars($b);
		if (count($x) !== count($y)) {
			return false;
		}
		foreach ($x as $k => $v) {
			if (!array_key_exists($k, $y) || !json_equal($v, $y[$k])) {
				return false;
			}
		}
		return true;
	}
	if (is_array($a) && is_array($b)) {
		if (count($a) !== count($b)) {
			return false;
		}
		foreach ($a as $i => $v) {
			if (!json_equal($v, $b[$i])) {
				return false;
			}
		}
		return true;
	}
	return $a === $b;
}

function corpus_cases(string $dir): array {
	$out = array();
	$it  = new RecursiveIteratorIterator(new RecursiveDirectoryIterator($dir, FilesystemIterator::SKIP_DOTS));
	foreach ($it as $f) {
		if ('json' === $f->getExtension()) {
			$out[] = $f->getPathname();
		}
	}
	sort($out);
	return $out;
}

$engine = Engine::load($wasm);
$passed = 0;
$failed = 0;
foreach (corpus_cases(dirname(__DIR__) . '/corpus') as $path) {
	$name = substr($path, strlen(dirname(__DIR__) . '/corpus/'));
	$case = json_decode((string) file_get_contents($path));
	try {
		$reply = $engine->handleJson(json_encode($case->request, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_PRESERVE_ZERO_FRACTION));
		$got   = json_decode($reply);
		$ok    = json_equal($got, $case->reply);
		$why   = $ok ? '' : "\n    expected " . json_encode($case->reply) . "\n    got      " . $reply;
	} catch (Throwable $e) {
		$ok  = false;
		$why = ' ' . get_class($e) . ': ' . $e->getMessage();
	}
	if ($ok) {
		$passed++;
	} else {
		$failed++;
	}
	if ($verbose || !$ok) {
		echo ($ok ? 'ok   ' : 'FAIL '), $name, $why, "\n";
	}
}
echo "CORPUS $passed $failed\n";
