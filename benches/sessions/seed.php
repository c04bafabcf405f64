<?php
/**
 * Seeds a throwaway benchmark site with USERS users and SESSIONS sessions, then builds the sessions index
 * with Session_Index::rebuild() (timed). BENCHMARK SEEDING ONLY: users and their usermeta are written with
 * bulk INSERTs straight into wp_users / wp_usermeta, because creating 50 000 users through wp_insert_user()
 * takes many minutes; the plugin itself never writes session_tokens with SQL.
 *
 *   SW_ENV=…/env.json USERS=50000 SESSIONS=100000 php benches/sessions/seed.php
 * Prints one JSON object: {"users":…, "sessions":…, "seed_seconds":…, "rebuild":{…}}.
 */

require __DIR__ . '/../../tests/php/bootstrap.php';

use SessionWarden\Session_Index;

$users    = max( 1, (int) ( getenv( 'USERS' ) ?: 50000 ) );
$sessions = max( 0, (int) ( getenv( 'SESSIONS' ) ?: 100000 ) );
$t0       = microtime( true );
$now      = time();
mt_srand( 20240531 ); // The same data on every run.

global $wpdb;
$wpdb->query( "DELETE FROM {$wpdb->users} WHERE user_login LIKE 'bench\\_%'" );
$wpdb->query( "DELETE m FROM {$wpdb->usermeta} m LEFT JOIN {$wpdb->users} u ON u.ID = m.user_id WHERE u.ID IS NULL" );

$pass      = wp_hash_password( 'bench-pass-123' );
$countries = array( 'DE', 'DE', 'US', 'US', 'US', 'FR', 'GB', 'NL', 'SE', 'PL', 'ES', 'IT', 'BR', 'IN', 'JP', 'CA', 'AU', '' );
$devices   = array(
	array( 'Chrome 131 on Windows', 'Chrome', '131', 'Windows', 'desktop', 'pc', 'browser' ),
	array( 'Firefox 128 on Linux', 'Firefox', '128', 'Linux', 'desktop', 'pc', 'browser' ),
	array( 'Safari 17 on macOS', 'Safari', '17', 'macOS', 'desktop', 'pc', 'browser' ),
	array( 'Safari 17 on iOS', 'Safari', '17', 'iOS', 'mobile', 'smartphone', 'browser' ),
	array( 'Chrome 131 on Android', 'Chrome', '131', 'Android', 'mobile', 'smartphone', 'browser' ),
	array( 'Safari 17 on iPadOS', 'Safari', '17', 'iPadOS', 'tablet', 'tablet', 'browser' ),
	array( 'Googlebot 2.1', 'Googlebot', '2.1', '', 'bot', 'bot', 'bot' ),
);
$cap_key   = $wpdb->get_blog_prefix() . 'capabilities';
$level_key = $wpdb->get_blog_prefix() . 'user_level';

// Sessions per user: spread over 0..4 so that the total is exactly $sessions (when possible).
$per_user = array_fill( 0, $users, 0 );
for ( $left = $sessions, $i = 0; $left > 0 && $i < $users * 10; ++$i ) {
	$u = $i % $users;
	if ( $per_user[ $u ] < 8 ) {
		$take            = min( $left, ( $i < $users ) ? mt_rand( 0, 4 ) : 1 );
		$per_user[ $u ] += $take;
		$left           -= $take;
	}
}

$first_id = (int) $wpdb->get_var( "SELECT COALESCE(MAX(ID),0) FROM {$wpdb->users}" ) + 1;
$batch    = 1000;
$made     = 0;
for ( $start = 0; $start < $users; $start += $batch ) {
	$urows = array();
	$mrows = array();
	for ( $k = $start; $k < min( $users, $start + $batch ); ++$k ) {
		$id      = $first_id + $k;
		$login   = 'bench_user_' . $k;
		$urows[] = $wpdb->prepare( '(%d,%s,%s,%s,%s,%s,%s,%d,%s)', $id, $login, $pass, $login, "$login@bench.example", '', gmdate( 'Y-m-d H:i:s', $now - 86400 * 30 ), 0, 'Bench User ' . $k );
		$r       = mt_rand( 0, 999 );
		$role    = $r < 5 ? 'administrator' : ( $r < 20 ? 'editor' : ( $r < 70 ? 'author' : 'subscriber' ) );
		$mrows[] = $wpdb->prepare( '(%d,%s,%s)', $id, $cap_key, serialize( array( $role => true ) ) );
		$mrows[] = $wpdb->prepare( '(%d,%s,%s)', $id, $level_key, 'administrator' === $role ? '10' : ( 'editor' === $role ? '7' : '0' ) );
		$mrows[] = $wpdb->prepare( '(%d,%s,%s)', $id, 'nickname', $login );
		if ( $per_user[ $k ] > 0 ) {
			$list = array();
			for ( $s = 0; $s < $per_user[ $k ]; ++$s ) {
				$login_at = $now - mt_rand( 60, 13 * 86400 );
				$device   = $devices[ mt_rand( 0, count( $devices ) - 1 ) ];
				$ip       = mt_rand( 0, 9 ) < 8 ? sprintf( '%d.%d.%d.%d', mt_rand( 1, 223 ), mt_rand( 0, 255 ), mt_rand( 0, 255 ), mt_rand( 1, 254 ) ) : sprintf( '2001:db8:%x::%x', mt_rand( 0, 65535 ), mt_rand( 1, 65535 ) );
				$flags    = array();
				if ( mt_rand( 0, 99 ) < 3 ) {
					$flags[] = 'ip_shift';
				}
				if ( mt_rand( 0, 99 ) < 2 ) {
					$flags[] = 'country_anomaly';
				}
				$list[ hash( 'sha256', "bench-token-$k-$s" ) ] = array(
					'expiration'     => $now + 14 * 86400,
					'ip'             => $ip,
					'ua'             => 'Mozilla/5.0 (bench)',
					'login'          => $login_at,
					'session_warden' => array(
						'ip'            => $ip,
						'country'       => $countries[ mt_rand( 0, count( $countries ) - 1 ) ],
						'device'        => array_combine( array( 'label', 'browser', 'version', 'os', 'device_class', 'device_type', 'client_type' ), $device ),
						'last_activity' => min( $now, $login_at + mt_rand( 0, 86400 ) ),
						'flags'         => $flags,
					),
				);
				++$made;
			}
			$mrows[] = $wpdb->prepare( '(%d,%s,%s)', $id, 'session_tokens', serialize( $list ) );
		}
	}
	$wpdb->query( "INSERT INTO {$wpdb->users} (ID,user_login,user_pass,user_nicename,user_email,user_url,user_registered,user_status,display_name) VALUES " . implode( ',', $urows ) );
	$wpdb->query( "INSERT INTO {$wpdb->usermeta} (user_id,meta_key,meta_value) VALUES " . implode( ',', $mrows ) );
}
wp_cache_flush();
$seeded = microtime( true ) - $t0;

// The plugin's own full rebuild, as activation and the daily cron run it.
$wpdb->query( 'DELETE FROM ' . Session_Index::table() );
$rebuild = Session_Index::rebuild();

echo wp_json_encode(
	array(
		'users'        => $users,
		'sessions'     => $made,
		'seed_seconds' => round( $seeded, 2 ),
		'rebuild'      => $rebuild,
		'peak_mb'      => round( memory_get_peak_usage( true ) / 1048576, 1 ),
	)
), "\n";
