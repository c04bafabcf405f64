<?php
/**
 * Times Session_Directory::query() on the seeded benchmark site through the probe mu-plugin
 * (sw-bench-sessions.php): each case N times, cases interleaved request by request, after a warm-up
 * round. Prints a table of medians (server time inside the request, and the whole request as the client
 * saw it). Plain PHP, no WordPress: SW_ENV=…/env.json N=30 php benches/sessions/bench.php
 */

$env  = json_decode( (string) file_get_contents( getenv( 'SW_ENV' ) ), true );
$n    = max( 1, (int) ( getenv( 'N' ) ?: 30 ) );
$key  = trim( (string) file_get_contents( $env['site'] . '/wp-content/sw-bench-key.txt' ) );
$base = rtrim( $env['url'], '/' ) . '/?sw_bench_sessions=1&args=';

$cases = array(
	'first page (last activity, newest first)' => array(),
	'sorted by login, oldest first'            => array( 'orderby' => 'login', 'order' => 'asc' ),
	'country = DE'                             => array( 'country' => 'DE' ),
	'device_class = tablet'                    => array( 'device_class' => 'tablet' ),
	'flag = country_anomaly'                   => array( 'flag' => 'country_anomaly' ),
	'role = editor (1.5 % of users)'           => array( 'role' => 'editor' ),
	'role = subscriber (93 %)'                 => array( 'role' => 'subscriber' ),
	'search IP ".17.20" (an IP part)'          => array( 'search' => '.17.20' ),
	'search user "bench_user_4242"'            => array( 'search' => 'bench_user_4242' ),
	'search "Bench User 77" (display name)'    => array( 'search' => 'Bench User 77' ),
	'search "bench.example" (every user)'      => array( 'search' => 'bench.example' ),
	'role + country + sort by login'           => array( 'role' => 'author', 'country' => 'FR', 'orderby' => 'login' ),
	'page 500 (per_page 20)'                   => array( 'page' => 500 ),
	'per_page 200'                             => array( 'per_page' => 200 ),
);

function sw_bench_get( string $url, string $key ): array {
	$ctx = stream_context_create(
		array(
			'http' => array(
				'header'        => "X-SW-Bench-Key: $key\r\n",
				'ignore_errors' => true,
				'timeout'       => 60,
			),
		)
	);
	$t0   = hrtime( true );
	$body = file_get_contents( $url, false, $ctx );
	$wall = ( hrtime( true ) - $t0 ) / 1e6;
	$json = json_decode( (string) $body, true );
	if ( ! is_array( $json ) || ! empty( $json['error'] ) ) {
		fwrite( STDERR, "bad answer from $url: " . substr( (string) $body, 0, 300 ) . "\n" );
		exit( 1 );
	}
	$json['wall'] = $wall;
	return $json;
}

function sw_bench_pct( array $values, float $p ): float {
	sort( $values );
	$i = ( count( $values ) - 1 ) * $p;
	$lo = (int) floor( $i );
	$hi = (int) ceil( $i );
	return $values[ $lo ] + ( $values[ $hi ] - $values[ $lo ] ) * ( $i - $lo );
}

$urls = array();
foreach ( $cases as $name => $args ) {
	$urls[ $name ] = $base . rawurlencode( json_encode( (object) $args ) );
}
$first   = sw_bench_get( $urls[ array_key_first( $urls ) ], $key ); // The first query after seeding (cold buffers).
$samples = array();
foreach ( $urls as $name => $url ) {
	sw_bench_get( $url, $key ); // Warm-up round.
}
for ( $i = 0; $i < $n; ++$i ) {
	foreach ( $urls as $name => $url ) {
		$samples[ $name ][] = sw_bench_get( $url, $key );
	}
}

printf( "%-42s %9s %9s %9s %9s %8s %6s\n", 'Session_Directory::query()', 'median ms', 'p90 ms', 'max ms', 'request', 'total', 'SQL' );
printf( "%-42s %9s %9s %9s %9s %8s %6s\n", '', '(server)', '(server)', '(server)', 'median ms', 'rows', 'count' );
foreach ( $samples as $name => $runs ) {
	$ms   = array_column( $runs, 'ms' );
	$wall = array_column( $runs, 'wall' );
	printf( "%-42s %9.1f %9.1f %9.1f %9.1f %8d %6d\n", $name, sw_bench_pct( $ms, 0.5 ), sw_bench_pct( $ms, 0.9 ), max( $ms ), sw_bench_pct( $wall, 0.5 ), $runs[0]['total'], $runs[0]['queries'] );
}
printf( "\nfirst query after seeding: %.1f ms server; OPcache %s; %d runs per case, interleaved.\n", $first['ms'], $first['opcache'] ? 'on' : 'OFF', $n );
$worst = 0.0;
foreach ( $samples as $runs ) {
	$worst = max( $worst, sw_bench_pct( array_column( $runs, 'ms' ), 0.5 ) );
}
printf( "slowest median: %.1f ms (budget 300 ms): %s\n", $worst, $worst <= 300 ? 'PASS' : 'FAIL' );
exit( $worst <= 300 ? 0 : 3 );
