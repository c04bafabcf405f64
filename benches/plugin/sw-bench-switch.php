<?php
/**
 * Plugin Name: Session Warden benchmark switch
 * Description: Benchmark site only, never shipped. Per request, the X-SW-Bench header turns Session Warden
 * off ("off": the plugin is not loaded at all) or makes it use one-shot engine processes instead of the
 * daemon ("process"), so the benchmark can interleave the three cases request by request on one server.
 */

$sw_bench = isset( $_SERVER['HTTP_X_SW_BENCH'] ) ? (string) $_SERVER['HTTP_X_SW_BENCH'] : '';
if ( 'off' === $sw_bench ) {
	add_filter(
		'option_active_plugins',
		static fn ( $plugins ) => array_values( array_diff( (array) $plugins, array( 'session-warden/session-warden.php' ) ) )
	);
} elseif ( 'process' === $sw_bench ) {
	add_filter( 'session_warden_engine_socket', static fn () => null );
}
