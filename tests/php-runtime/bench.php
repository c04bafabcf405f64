<?php
/**
 * Performance of the PHP runtime on two representative requests.
 *
 * Usage: php -d opcache.enable_cli=1 bench.php [warm|cold] [engine.wasm]
 *   warm: median ms per call, reusing one instance and with a fresh instance per call
 *   cold: one process-start measurement: Engine::load + first login call
 *         (run it in a new process each time; see run.sh --bench)
 * Requests: tests/corpus/login/logout_oldest_several_limits.json (check_login)
 * and tests/corpus/request/country_anomaly_ignores.json (check_request).
 */

declare(strict_types=1);

$t0 = hrtime(true);
require dirname(__DIR__, 2) . '/wordpress-plugin/session-warden/runtime/autoload.php';

use SessionWarden\Wasm\Engine;

$mode = $argv[1] ?? 'warm';
$wasm = $argv[2] ?? dirname(__DIR__, 2) . '/build/engine/session-warden.wasm';

function request_of(string $case): string {
	$c = json_decode((string) file_get_contents(dirname(__DIR__) . '/corpus/' . $case));
	return json_encode($c->request, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);
}

$login   = request_of('login/logout_oldest_several_limits.json');
$request = request_of('request/country_anomaly_ignores.json');

if ('cold' === $mode) {
	$e  = Engine::load($wasm);
	$t1 = hrtime(true);
	$e->handleJson($login);
	$t2 = hrtime(true);
	printf("cold load %.1f ms, first login call %.1f ms, total %.1f ms\n", ($t1 - $t0) / 1e6, ($t2 - $t1) / 1e6, ($t2 - $t0) / 1e6);
	exit(0);
}

function median(array $xs): float {
	sort($xs);
	return $xs[intdiv(count($xs), 2)];
}

foreach (array('check_login' => $login, 'check_request' => $request) as $name => $req) {
	foreach (array('reused instance' => true, 'fresh instance' => false) as $label => $reuse) {
		$e = Engine::load($wasm, array('reuse_instance' => $reuse));
		for ($i = 0; $i < 5; $i++) {
			$e->handleJson($req); // Warm-up: includes the translated functions.
		}
		$times = array();
		for ($i = 0; $i < 50; $i++) {
			$t       = hrtime(true);
			$e->handleJson($req);
			$times[] = (hrtime(true) - $t) / 1e6;
		}
		printf("%-13s %-15s median %6.2f ms  (min %.2f)\n", $name, $label, median($times), min($times));
	}
}
