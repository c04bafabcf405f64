<?php
/**
 * PHP-side test runner: loads the real WordPress of a test-bed site once (bootstrap.php), then runs
 * every sw_test() registered by tests/php/*.test.php (or the files given). Prints TAP ending in
 * "# pass N" / "# fail N" / "# skip N"; exits 1 if anything failed.
 *
 * Usage: SW_ENV=/tmp/session-warden/…/env.json php tests/php/run.php [file.test.php …] [--filter=REGEX]
 */

require __DIR__ . '/bootstrap.php';
require __DIR__ . '/lib.php';
require __DIR__ . '/../fixtures/users.php';

$sw_filter = null;
$sw_files  = array();
foreach ( array_slice( $argv, 1 ) as $sw_arg ) {
	if ( str_starts_with( $sw_arg, '--filter=' ) ) {
		$sw_filter = substr( $sw_arg, 9 );
	} else {
		$sw_files[] = $sw_arg;
	}
}
if ( ! $sw_files ) {
	$sw_files = glob( __DIR__ . '/*.test.php' );
	sort( $sw_files );
}
foreach ( $sw_files as $sw_file ) {
	SW_Test::$file = basename( $sw_file );
	require $sw_file;
}
exit( SW_Test::run( $sw_filter ) );
