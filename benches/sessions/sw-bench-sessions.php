<?php
/**
 * Plugin Name: Session Warden sessions benchmark probe
 * Description: Benchmark site only, never shipped. `/?sw_bench_sessions=1&args=<json>` with the header
 * X-SW-Bench-Key (the key in wp-content/sw-bench-key.txt) times one Session_Directory::query() call in a
 * real Apache + OPcache request, once WordPress and the plugins are loaded (`wp_loaded`), and answers
 * {"ms":…, "total":…, "items":…, "opcache":bool}.
 */

if ( isset( $_GET['sw_bench_sessions'] ) ) {
	add_action(
		'wp_loaded',
		static function () {
			$key = (string) @file_get_contents( WP_CONTENT_DIR . '/sw-bench-key.txt' );
			if ( '' === trim( $key ) || ! hash_equals( trim( $key ), (string) ( $_SERVER['HTTP_X_SW_BENCH_KEY'] ?? '' ) ) ) {
				status_header( 403 );
				exit;
			}
			$args = json_decode( wp_unslash( (string) ( $_GET['args'] ?? '{}' ) ), true );
			$t0   = hrtime( true );
			try {
				$result = \SessionWarden\Session_Directory::query( is_array( $args ) ? $args : array() );
				$error  = null;
			} catch ( \Throwable $e ) {
				$result = array( 'items' => array(), 'total' => 0 );
				$error  = $e->getMessage();
			}
			$ms     = ( hrtime( true ) - $t0 ) / 1e6;
			$status = function_exists( 'opcache_get_status' ) ? opcache_get_status( false ) : false;
			header( 'Content-Type: application/json' );
			echo wp_json_encode(
				array(
					'ms'      => round( $ms, 3 ),
					'total'   => $result['total'],
					'items'   => count( $result['items'] ),
					'first'   => $result['items'][0]['user']['login'] ?? null,
					'error'   => $error,
					'queries' => (int) $GLOBALS['wpdb']->num_queries,
					'opcache' => is_array( $status ) && ! empty( $status['opcache_enabled'] ),
				)
			);
			exit;
		},
		0
	);
}
