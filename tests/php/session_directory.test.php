<?php
/**
 * The sessions service against the real WordPress: opaque ids, the cross-user directory over the
 * sessions index (filters, sorts, search, pages, totals), for_user() with the current session marked,
 * ending sessions with their events, and the index staying right through sign-in, core's logout, a
 * session ended behind its back, and a rebuild from nothing.
 */

use SessionWarden\Events;
use SessionWarden\Lifecycle;
use SessionWarden\Session_Actions;
use SessionWarden\Session_Directory;
use SessionWarden\Session_Id;
use SessionWarden\Session_Index;
use SessionWarden\Session_Record;
use SessionWarden\Session_Store;
use SessionWarden\Settings;
use SessionWarden\User_Lock;

/** A fixture user of this file, with no sessions and no events. */
function sw_dir_user( string $login, string $role = 'subscriber' ): WP_User {
	global $wpdb;
	$user = sw_fixture_user( $login, $role );
	WP_Session_Tokens::get_instance( $user->ID )->destroy_all();
	$wpdb->delete( Events::table(), array( 'user_id' => $user->ID ), array( '%d' ) );
	Session_Index::sync_users( array( $user->ID ) );
	return $user;
}

/**
 * Creates a session through core (as a sign-in does, without the cookie), then gives it the plugin's
 * fields. Returns [token, verifier].
 *
 * @param array $ours  Plugin fields (ip, country, device, last_activity, flags).
 * @param int   $login Login time (default now).
 */
function sw_dir_session( WP_User $user, array $ours = array(), int $login = 0 ): array {
	$token = WP_Session_Tokens::get_instance( $user->ID )->create( time() + DAY_IN_SECONDS );
	$lock  = new User_Lock();
	while ( $lock->holds( $user->ID ) ) {
		$lock->let_go( $user->ID ); // The sign-in handling holds the lock until the request ends.
	}
	$store    = new Session_Store();
	$verifier = $store->verifier_for_token( $token );
	$record   = $store->get( $user->ID, $verifier );
	if ( $login > 0 ) {
		$record['login'] = $login;
	}
	$record[ Session_Record::KEY ] = array_merge( Session_Record::ours( $record ), $ours );
	$store->update( $user->ID, $verifier, $record );
	return array( $token, $verifier );
}

/** The index rows of a user, as stored. */
function sw_dir_rows( int $user_id ): array {
	global $wpdb;
	$table = Session_Index::table();
	return $wpdb->get_results( $wpdb->prepare( "SELECT * FROM {$table} WHERE user_id = %d ORDER BY id", $user_id ), ARRAY_A ); // phpcs:ignore
}

/** Makes $user the signed-in user of this process with the session $token (as its cookie would). */
function sw_dir_sign_in_as( WP_User $user, string $token ): void {
	$_COOKIE[ LOGGED_IN_COOKIE ] = wp_generate_auth_cookie( $user->ID, time() + DAY_IN_SECONDS, 'logged_in', $token );
	wp_set_current_user( $user->ID );
}

function sw_dir_sign_out_process(): void {
	unset( $_COOKIE[ LOGGED_IN_COOKIE ] );
	wp_set_current_user( 0 );
}

/** ids of query items, in order. */
function sw_dir_ids( array $result ): array {
	return array_map( static fn ( array $i ): string => $i['id'], $result['items'] );
}

sw_test(
	'Session_Id: round trip, opaque (no token or verifier inside), URL-safe, forged or ended ids resolve to null',
	function () {
		$user            = sw_dir_user( 'swdir_id' );
		[ $token, $ver ] = sw_dir_session( $user );
		$id              = Session_Id::make( $user->ID, $ver );

		sw_assert_match( '/^[0-9]+-[0-9a-f]{32}$/', $id, 'id shape' );
		sw_assert_same( rawurlencode( $id ), $id, 'URL-safe' );
		sw_assert_same( array( 'user_id' => $user->ID, 'verifier' => $ver ), Session_Id::resolve( $id ), 'round trip' );
		sw_assert_same( $id, Session_Id::make( $user->ID, strtoupper( $ver ) ), 'case of the verifier does not matter' );
		// No 8-character piece of the token or the verifier appears in the id (nor the other way round).
		foreach ( array( $token, $ver ) as $secret ) {
			for ( $i = 0; $i + 8 <= strlen( $secret ); ++$i ) {
				sw_assert( ! str_contains( $id, substr( $secret, $i, 8 ) ), 'id contains a piece of a secret' );
			}
		}
		sw_assert( ! str_contains( $ver, substr( $id, strpos( $id, '-' ) + 1, 8 ) ), 'the hash is not a piece of the verifier' );

		$other = sw_dir_user( 'swdir_id2' );
		$hash  = substr( $id, strpos( $id, '-' ) + 1 );
		sw_assert_same( null, Session_Id::resolve( $other->ID . '-' . $hash ), 'same hash, other user' );
		sw_assert_same( null, Session_Id::resolve( $user->ID . '-' . str_repeat( '0', 32 ) ), 'forged hash' );
		sw_assert_same( null, Session_Id::resolve( $ver ), 'a verifier is not an id' );
		sw_assert_same( null, Session_Id::resolve( '' ), 'empty' );
		sw_assert_same( null, Session_Id::resolve( '0-' . $hash ), 'user 0' );
		sw_assert_same( null, Session_Id::resolve( '999999999-' . $hash ), 'no such user' );

		WP_Session_Tokens::get_instance( $user->ID )->destroy( $token );
		sw_assert_same( null, Session_Id::resolve( $id ), 'ended session' );
		sw_assert_throws( InvalidArgumentException::class, fn () => Session_Id::make( 0, $ver ) );
	}
);

sw_test(
	'Session_Id::current(): the signed-in request\'s session, null without a user or a cookie session',
	function () {
		$user            = sw_dir_user( 'swdir_cur' );
		[ $token, $ver ] = sw_dir_session( $user );
		sw_dir_sign_out_process();
		sw_assert_same( null, Session_Id::current(), 'nobody signed in' );
		try {
			sw_dir_sign_in_as( $user, $token );
			sw_assert_same( Session_Id::make( $user->ID, $ver ), Session_Id::current() );
			unset( $_COOKIE[ LOGGED_IN_COOKIE ] );
			sw_assert_same( null, Session_Id::current(), 'signed in without a cookie session (application password, CLI)' );
		} finally {
			sw_dir_sign_out_process();
		}
	}
);

sw_test(
	'query(): item shape, filters (user, role, country, device class, flag, search), sorts, pages and totals',
	function () {
		$now = time();
		$ed  = sw_dir_user( 'swdir_q_editor', 'editor' );
		$au  = sw_dir_user( 'swdir_q_author', 'author' );
		wp_update_user(
			array(
				'ID'           => $au->ID,
				'display_name' => 'Zebulon Quartermain',
				'user_email'   => 'zq-swdir@example.org',
			)
		);
		$desk = array(
			'label'        => 'Chrome 131 on Windows',
			'browser'      => 'Chrome',
			'version'      => '131',
			'os'           => 'Windows',
			'device_class' => 'desktop',
			'device_type'  => 'pc',
			'client_type'  => 'browser',
		);
		$phone = array(
			'label'        => 'Safari 17 on iOS',
			'browser'      => 'Safari',
			'version'      => '17',
			'os'           => 'iOS',
			'device_class' => 'mobile',
			'device_type'  => 'smartphone',
			'client_type'  => 'browser',
		);
		// Logins 100..400 s ago; activity in another order, so the two sorts differ.
		[ , $v1 ] = sw_dir_session( $ed, array( 'ip' => '198.51.100.7', 'country' => 'DE', 'device' => $desk, 'last_activity' => $now - 50, 'flags' => array() ), $now - 400 );
		[ , $v2 ] = sw_dir_session( $ed, array( 'ip' => '203.0.113.9', 'country' => 'FR', 'device' => $phone, 'last_activity' => $now - 300, 'flags' => array( 'ip_shift' ) ), $now - 300 );
		[ , $v3 ] = sw_dir_session( $au, array( 'ip' => '192.0.2.44', 'country' => 'DE', 'device' => $phone, 'last_activity' => $now - 10, 'flags' => array( 'country_anomaly' ) ), $now - 200 );
		[ , $v4 ] = sw_dir_session( $au, array( 'ip' => '2001:db8::5', 'country' => 'US', 'device' => $desk, 'last_activity' => $now - 150, 'flags' => array( 'ip_shift', 'country_anomaly' ) ), $now - 100 );
		$id = static fn ( WP_User $u, string $v ): string => Session_Id::make( $u->ID, $v );
		$i1 = $id( $ed, $v1 );
		$i2 = $id( $ed, $v2 );
		$i3 = $id( $au, $v3 );
		$i4 = $id( $au, $v4 );

		$mine = array( 'search' => 'swdir_q_' ); // Only this test's users, whatever else the site holds.
		$all  = Session_Directory::query( $mine );
		sw_assert_same( 4, $all['total'], 'total' );
		sw_assert_same( array( $i3, $i1, $i4, $i2 ), sw_dir_ids( $all ), 'default: last activity, newest first' );

		$item = $all['items'][3];
		sw_assert_same( array( 'id', 'user', 'roles', 'login', 'expiration', 'last_activity', 'idle', 'ip', 'country', 'device', 'flags', 'current' ), array_keys( $item ), 'item keys' );
		sw_assert_same( array( 'id', 'login', 'display_name', 'avatar' ), array_keys( $item['user'] ), 'user keys' );
		sw_assert_same( $ed->ID, $item['user']['id'] );
		sw_assert_same( 'swdir_q_editor', $item['user']['login'] );
		sw_assert_match( '#^https?://#', $item['user']['avatar'], 'avatar URL' );
		sw_assert_same( array( 'editor' ), $item['roles'] );
		sw_assert_same( $now - 300, $item['login'] );
		sw_assert_same( $now - 300, $item['last_activity'] );
		sw_assert( $item['idle'] >= 300 && $item['idle'] < 330, 'idle from last activity: ' . $item['idle'] );
		sw_assert_same( '203.0.113.9', $item['ip'] );
		sw_assert_same( 'FR', $item['country'] );
		sw_assert_same( $phone, $item['device'] );
		sw_assert_same( array( 'ip_shift' ), $item['flags'] );
		sw_assert_same( false, $item['current'] );
		sw_assert( $item['expiration'] > $now, 'expiration' );
		$json = wp_json_encode( $all );
		foreach ( array( $v1, $v2, $v3, $v4 ) as $v ) {
			sw_assert( ! str_contains( $json, $v ), 'a verifier leaked into the items' );
		}

		$q = static fn ( array $args ): array => sw_dir_ids( Session_Directory::query( $args + $mine ) );
		sw_assert_same( array( $i3, $i1, $i4, $i2 ), $q( array( 'orderby' => 'last_activity', 'order' => 'desc' ) ) );
		sw_assert_same( array( $i2, $i4, $i1, $i3 ), $q( array( 'order' => 'asc' ) ), 'activity ascending' );
		sw_assert_same( array( $i4, $i3, $i2, $i1 ), $q( array( 'orderby' => 'login' ) ), 'login, newest first' );
		sw_assert_same( array( $i1, $i2, $i3, $i4 ), $q( array( 'orderby' => 'login', 'order' => 'ASC' ) ), 'login ascending' );

		sw_assert_same( array( $i3, $i1 ), $q( array( 'country' => 'de' ) ), 'country (any case)' );
		sw_assert_same( array( $i3, $i2 ), $q( array( 'device_class' => 'mobile' ) ), 'device class' );
		sw_assert_same( array( $i4, $i2 ), $q( array( 'flag' => 'ip_shift' ) ), 'flag ip_shift' );
		sw_assert_same( array( $i3, $i4 ), $q( array( 'flag' => 'country_anomaly' ) ), 'flag country_anomaly' );
		sw_assert_same( array( $i1, $i2 ), $q( array( 'role' => 'editor' ) ), 'role' );
		sw_assert_same( array(), $q( array( 'role' => 'administrator' ) ), 'role nobody here has' );
		sw_assert_same( array( $i3, $i4 ), $q( array( 'user' => $au->ID ) ), 'user' );
		sw_assert_same( array( $i4 ), $q( array( 'user' => $au->ID, 'device_class' => 'desktop', 'country' => 'US' ) ), 'filters combine' );

		$s = static fn ( string $search, array $more = array() ): array => sw_dir_ids( Session_Directory::query( array( 'search' => $search ) + $more ) );
		sw_assert_same( array( $i2 ), $s( '203.0.113' ), 'search: IP substring' );
		sw_assert_same( array( $i4 ), $s( 'db8::' ), 'search: IPv6 substring' );
		sw_assert_same( array( $i3, $i4 ), $s( 'quarterm' ), 'search: display name' );
		sw_assert_same( array( $i3, $i4 ), $s( 'zq-swdir@' ), 'search: e-mail' );
		sw_assert_same( array( $i1, $i2 ), $s( 'q_editor' ), 'search: login (an underscore is not a wildcard)' );
		sw_assert_same( array(), $s( 'swdir%q' ), 'search: % is literal' );

		$p1 = Session_Directory::query( array( 'per_page' => 3 ) + $mine );
		$p2 = Session_Directory::query( array( 'per_page' => 3, 'page' => 2 ) + $mine );
		$p3 = Session_Directory::query( array( 'per_page' => '3', 'page' => '3' ) + $mine );
		sw_assert_same( array( $i3, $i1, $i4 ), sw_dir_ids( $p1 ), 'page 1' );
		sw_assert_same( array( $i2 ), sw_dir_ids( $p2 ), 'page 2' );
		sw_assert_same( array(), sw_dir_ids( $p3 ), 'past the end' );
		sw_assert_same( array( 4, 4, 4 ), array( $p1['total'], $p2['total'], $p3['total'] ), 'totals on every page' );

		foreach ( array(
			array( 'country' => 'Germany' ),
			array( 'device_class' => 'phone' ),
			array( 'flag' => 'weird' ),
			array( 'orderby' => 'ip' ),
			array( 'order' => 'sideways' ),
			array( 'per_page' => 201 ),
			array( 'per_page' => 0 ),
			array( 'page' => 0 ),
			array( 'user' => 'admin' ),
			array( 'role' => 'Edit or' ),
			array( 'search' => array( 'x' ) ),
		) as $bad ) {
			$e = sw_assert_throws( InvalidArgumentException::class, fn () => Session_Directory::query( $bad ) );
			sw_assert( '' !== $e->getMessage(), 'a message' );
		}

		// Pre-epoch sessions are not live any more (they end on their next request).
		$restore = get_site_option( Settings::EPOCH_OPTION, false );
		update_site_option( Settings::EPOCH_OPTION, $now - 250 );
		try {
			sw_assert_same( array( $i3, $i4 ), $q( array() ), 'sessions that began before the site-wide logout are left out' );
			sw_assert_same( 2, Session_Directory::query( $mine )['total'] );
		} finally {
			false === $restore ? delete_site_option( Settings::EPOCH_OPTION ) : update_site_option( Settings::EPOCH_OPTION, $restore );
		}
	}
);

sw_test(
	'for_user(): newest login first, the requester\'s own session marked current',
	function () {
		$now           = time();
		$user          = sw_dir_user( 'swdir_fu' );
		[ $t1, $v1 ]   = sw_dir_session( $user, array(), $now - 500 );
		[ $t2, $v2 ]   = sw_dir_session( $user, array(), $now - 100 );
		[ , $v3 ]      = sw_dir_session( $user, array(), $now - 300 );
		$list          = Session_Directory::for_user( $user->ID );
		sw_assert_same(
			array( Session_Id::make( $user->ID, $v2 ), Session_Id::make( $user->ID, $v3 ), Session_Id::make( $user->ID, $v1 ) ),
			array_column( $list, 'id' )
		);
		sw_assert_same( array( false, false, false ), array_column( $list, 'current' ), 'nobody signed in' );
		try {
			sw_dir_sign_in_as( $user, $t1 );
			sw_assert_same( array( false, false, true ), array_column( Session_Directory::for_user( $user->ID ), 'current' ) );
		} finally {
			sw_dir_sign_out_process();
		}
		sw_assert_same( array(), Session_Directory::for_user( 999999999 ), 'unknown user' );
		sw_assert_same( array(), Session_Directory::for_user( sw_dir_user( 'swdir_fu_none' )->ID ), 'no sessions' );
	}
);

sw_test(
	'Session_Actions::end(): ends one session under the lock, records session_ended by_admin/by_user, drops the index row',
	function () {
		$user        = sw_dir_user( 'swdir_end' );
		[ , $v1 ]    = sw_dir_session( $user, array( 'ip' => '198.51.100.23', 'country' => 'NL', 'device' => array( 'label' => 'Firefox 128 on Linux' ) ) );
		[ , $v2 ]    = sw_dir_session( $user );
		$id1         = Session_Id::make( $user->ID, $v1 );
		$id2         = Session_Id::make( $user->ID, $v2 );
		sw_assert_same( 2, count( sw_dir_rows( $user->ID ) ), 'indexed' );

		sw_assert_same( true, Session_Actions::end( $id1, 'admin' ) );
		sw_assert_same( array( $v2 ), array_keys( ( new Session_Store() )->all( $user->ID ) ), 'only that session ended' );
		sw_assert_same( array( Session_Id::hash( $user->ID, $v2 ) ), array_column( sw_dir_rows( $user->ID ), 'sid' ), 'index row dropped' );
		$events = Events::query( array( 'user_id' => $user->ID, 'type' => Events::SESSION_ENDED ) );
		sw_assert_same( 1, count( $events ) );
		sw_assert_same( 'by_admin', $events[0]['reason'] );
		sw_assert_same( $v1, $events[0]['verifier'] );
		sw_assert_same( '198.51.100.23', $events[0]['ip'] );
		sw_assert_same( 'NL', $events[0]['country'] );
		sw_assert_same( 'Firefox 128 on Linux', $events[0]['device'] );

		$again = Session_Actions::end( $id1, 'admin' );
		sw_assert( is_wp_error( $again ), 'ending it twice is an error' );
		sw_assert_same( 'session_warden_no_session', $again->get_error_code() );
		sw_assert_same( 404, $again->get_error_data()['status'] );
		sw_assert_same( 'session_warden_no_session', Session_Actions::end( 'nonsense', 'user' )->get_error_code() );
		sw_assert_throws( InvalidArgumentException::class, fn () => Session_Actions::end( $id2, 'root' ) );

		sw_assert_same( true, Session_Actions::end( $id2, 'user' ) );
		sw_assert_same( array(), ( new Session_Store() )->all( $user->ID ) );
		sw_assert_same( array(), sw_dir_rows( $user->ID ) );
		sw_assert_same( 'by_user', Events::query( array( 'user_id' => $user->ID, 'type' => Events::SESSION_ENDED ) )[0]['reason'] );
		sw_assert( ! ( new User_Lock() )->holds( $user->ID ), 'lock released' );
	}
);

sw_test(
	'Session_Actions::end_others(): all but the kept one, or all; one event each; index in step',
	function () {
		$user      = sw_dir_user( 'swdir_others' );
		[ , $keep ] = sw_dir_session( $user );
		sw_dir_session( $user );
		sw_dir_session( $user );
		$keep_id = Session_Id::make( $user->ID, $keep );

		sw_assert_same( 2, Session_Actions::end_others( $user->ID, $keep_id, 'user' ) );
		sw_assert_same( array( $keep ), array_keys( ( new Session_Store() )->all( $user->ID ) ) );
		sw_assert_same( array( Session_Id::hash( $user->ID, $keep ) ), array_column( sw_dir_rows( $user->ID ), 'sid' ) );
		$events = Events::query( array( 'user_id' => $user->ID, 'type' => Events::SESSION_ENDED ) );
		sw_assert_same( array( 'by_user', 'by_user' ), array_column( $events, 'reason' ) );
		sw_assert_same( 0, Session_Actions::end_others( $user->ID, $keep_id, 'user' ), 'nothing else to end' );

		$other = sw_dir_user( 'swdir_others2' );
		[ , $ov ] = sw_dir_session( $other );
		sw_assert_throws( InvalidArgumentException::class, fn () => Session_Actions::end_others( $user->ID, Session_Id::make( $other->ID, $ov ), 'user' ) );
		sw_assert_throws( InvalidArgumentException::class, fn () => Session_Actions::end_others( $user->ID, 'garbage', 'user' ) );
		sw_assert_throws( InvalidArgumentException::class, fn () => Session_Actions::end_others( 999999999, null, 'admin' ) );
		sw_assert_same( 1, count( ( new Session_Store() )->all( $other->ID ) ), 'the other user kept theirs' );

		sw_assert_same( 1, Session_Actions::end_others( $user->ID, null, 'admin' ) );
		sw_assert_same( array(), ( new Session_Store() )->all( $user->ID ) );
		sw_assert_same( array(), sw_dir_rows( $user->ID ) );
		sw_assert_same( 'by_admin', Events::query( array( 'user_id' => $user->ID, 'type' => Events::SESSION_ENDED ) )[0]['reason'] );
	}
);

sw_test(
	'index: a password sign-in (wp_signon) is indexed at once; core\'s logout removes it',
	function () {
		$user = sw_dir_user( 'swdir_signon' );
		sw_fixture_user( 'swdir_signon', 'subscriber', 'swdir-signon-pass-1' );
		Session_Index::sync_users( array( $user->ID ) );
		add_filter( 'send_auth_cookies', '__return_false' ); // Headers are long gone in this process.
		$signed = wp_signon(
			array(
				'user_login'    => 'swdir_signon',
				'user_password' => 'swdir-signon-pass-1',
			)
		);
		$lock = new User_Lock();
		while ( $lock->holds( $user->ID ) ) {
			$lock->let_go( $user->ID );
		}
		remove_filter( 'send_auth_cookies', '__return_false' );
		sw_assert( $signed instanceof WP_User, 'signed in: ' . ( is_wp_error( $signed ) ? $signed->get_error_message() : '' ) );
		$sessions = ( new Session_Store() )->all( $user->ID );
		sw_assert_same( 1, count( $sessions ) );
		$verifier = (string) array_key_first( $sessions );
		$rows     = sw_dir_rows( $user->ID );
		sw_assert_same( array( Session_Id::hash( $user->ID, $verifier ) ), array_column( $rows, 'sid' ), 'indexed by the sign-in itself' );
		sw_assert_same( (string) $sessions[ $verifier ]['login'], $rows[0]['login'] );

		// wp_signon() only sends the cookie; to act as that browser, this process needs a token it knows.
		$token = WP_Session_Tokens::get_instance( $user->ID )->create( time() + DAY_IN_SECONDS );
		while ( $lock->holds( $user->ID ) ) {
			$lock->let_go( $user->ID );
		}
		Session_Index::flush(); // What the shutdown of that request would do for a session created without a cookie.
		sw_assert_same( 2, count( sw_dir_rows( $user->ID ) ), 'a cookie-less create() is indexed at the end of the request' );
		try {
			sw_dir_sign_in_as( $user, $token );
			add_filter( 'send_auth_cookies', '__return_false' );
			wp_logout();
		} finally {
			remove_filter( 'send_auth_cookies', '__return_false' );
			sw_dir_sign_out_process();
		}
		sw_assert_same( array( $verifier ), array_keys( ( new Session_Store() )->all( $user->ID ) ), 'core ended the session' );
		sw_assert_same( array( Session_Id::hash( $user->ID, $verifier ) ), array_column( sw_dir_rows( $user->ID ), 'sid' ), 'and the index followed' );
	}
);

sw_test(
	'index: a session ended behind its back is never shown, and its row is dropped when its user is on the page',
	function () {
		$user          = sw_dir_user( 'swdir_stale' );
		[ $t1, $v1 ]   = sw_dir_session( $user, array( 'ip' => '198.51.100.99' ) );
		[ , $v2 ]      = sw_dir_session( $user, array( 'ip' => '198.51.100.98' ) );
		sw_assert_same( 2, count( sw_dir_rows( $user->ID ) ) );

		// Core's own API, no plugin hook: e.g. another plugin, or "Log Out Everywhere Else".
		WP_Session_Tokens::get_instance( $user->ID )->destroy( $t1 );
		sw_assert_same( 2, count( sw_dir_rows( $user->ID ) ), 'the index did not hear of it' );

		$page = Session_Directory::query( array( 'search' => 'swdir_stale' ) );
		sw_assert_same( array( Session_Id::make( $user->ID, $v2 ) ), sw_dir_ids( $page ), 'only the live session is shown' );
		sw_assert_same( 1, $page['total'], 'and counted' );
		sw_assert_same( array( Session_Id::hash( $user->ID, $v2 ) ), array_column( sw_dir_rows( $user->ID ), 'sid' ), 'stale row dropped' );

		// A value changed behind its back is fixed the same way.
		$store                      = new Session_Store();
		$record                     = $store->get( $user->ID, $v2 );
		$record[ Session_Record::KEY ]['ip'] = '198.51.100.200';
		$manager = WP_Session_Tokens::get_instance( $user->ID );
		( new ReflectionMethod( $manager, 'update_session' ) )->invoke( $manager, $v2, $record );
		sw_assert_same( '198.51.100.98', sw_dir_rows( $user->ID )[0]['ip'], 'stale value' );
		$page = Session_Directory::query( array( 'search' => 'swdir_stale' ) );
		sw_assert_same( '198.51.100.200', $page['items'][0]['ip'], 'shown from the session itself' );
		sw_assert_same( '198.51.100.200', sw_dir_rows( $user->ID )[0]['ip'], 'row fixed' );
		sw_assert_same( array(), Session_Directory::query( array( 'search' => '198.51.100.98' ) )['items'], 'old IP no longer matches' );

		// Every session gone behind its back (core deletes the meta row), then a page with that user.
		$manager->destroy_all();
		$page = Session_Directory::query( array( 'search' => 'swdir_stale' ) );
		sw_assert_same( array(), $page['items'] );
		sw_assert_same( 0, $page['total'] );
		sw_assert_same( array(), sw_dir_rows( $user->ID ) );
	}
);

sw_test(
	'index: rebuilt from nothing when empty, and a full rebuild drops rows of users without sessions',
	function () {
		global $wpdb;
		$table     = Session_Index::table();
		$user      = sw_dir_user( 'swdir_rebuild' );
		[ , $v ]   = sw_dir_session( $user, array( 'country' => 'SE' ) );
		$wpdb->query( "DELETE FROM {$table}" ); // phpcs:ignore
		sw_assert_same( '0', $wpdb->get_var( "SELECT COUNT(*) FROM {$table}" ) ); // phpcs:ignore

		$page = Session_Directory::query( array( 'search' => 'swdir_rebuild' ) );
		sw_assert_same( array( Session_Id::make( $user->ID, $v ) ), sw_dir_ids( $page ), 'an empty index is rebuilt before the query' );
		sw_assert_same( 'SE', sw_dir_rows( $user->ID )[0]['country'] );
		$everyone = (int) $wpdb->get_var( "SELECT COUNT(*) FROM {$table}" ); // phpcs:ignore
		sw_assert( $everyone >= 1, 'other users are back too' );

		$ghost = sw_dir_user( 'swdir_rebuild_ghost' );
		$wpdb->insert( $table, array( 'user_id' => $ghost->ID, 'sid' => str_repeat( 'a', 32 ), 'login' => time(), 'activity' => time(), 'expiration' => time() + 3600 ) );
		sw_assert_same( 1, count( sw_dir_rows( $ghost->ID ) ) );
		$result = Session_Index::rebuild( 2 ); // Tiny batches: paging must still see every user once.
		sw_assert_same( array(), sw_dir_rows( $ghost->ID ), 'ghost row removed' );
		sw_assert_same( 1, count( sw_dir_rows( $user->ID ) ) );
		sw_assert( $result['removed'] >= 1 && $result['users'] >= 1 && $result['sessions'] >= 1, 'counts: ' . wp_json_encode( $result ) );
		sw_assert_same( $everyone, (int) $wpdb->get_var( "SELECT COUNT(*) FROM {$table}" ), 'nobody else lost' ); // phpcs:ignore
	}
);

sw_test(
	'index: role, name and e-mail changes reach the filters and the search through core\'s user hooks',
	function () {
		$user      = sw_dir_user( 'swdir_change', 'subscriber' );
		[ , $v ]   = sw_dir_session( $user );
		$id        = Session_Id::make( $user->ID, $v );
		$by_role   = static fn ( string $role ): array => sw_dir_ids( Session_Directory::query( array( 'role' => $role, 'search' => 'swdir_change' ) ) );
		sw_assert_same( array( $id ), $by_role( 'subscriber' ) );
		sw_assert_same( array(), $by_role( 'editor' ) );

		$user->set_role( 'editor' );
		sw_assert_same( array( $id ), $by_role( 'editor' ), 'new role' );
		sw_assert_same( array(), $by_role( 'subscriber' ), 'old role gone' );
		$user->add_role( 'author' );
		sw_assert_same( array( $id ), $by_role( 'author' ), 'added role' );
		$user->remove_role( 'author' );
		sw_assert_same( array(), $by_role( 'author' ), 'removed role' );

		wp_update_user(
			array(
				'ID'           => $user->ID,
				'display_name' => 'Ottoline Vasquez-Brandt',
				'user_email'   => 'ovb-swdir@example.net',
			)
		);
		sw_assert_same( array( $id ), sw_dir_ids( Session_Directory::query( array( 'search' => 'Vasquez-Br' ) ) ), 'new display name' );
		sw_assert_same( array( $id ), sw_dir_ids( Session_Directory::query( array( 'search' => 'ovb-swdir' ) ) ), 'new e-mail' );
		sw_assert_same( array(), sw_dir_ids( Session_Directory::query( array( 'search' => 'swdir_change@example.com' ) ) ), 'old e-mail' );
	}
);

sw_test(
	'index: a site-wide logout drops the older sessions at once; expired ones go before the next query',
	function () {
		global $wpdb;
		$now      = time();
		$user     = sw_dir_user( 'swdir_epoch' );
		[ , $old ] = sw_dir_session( $user, array(), $now - 600 );
		sw_assert_same( 1, count( sw_dir_rows( $user->ID ) ) );
		$restore = get_site_option( Settings::EPOCH_OPTION, false );
		try {
			Settings::end_all_sessions();
			sw_assert_same( array(), sw_dir_rows( $user->ID ), 'the hook pruned the row' );
			[ , $new ] = sw_dir_session( $user );
			sw_assert_same( array( Session_Id::hash( $user->ID, $new ) ), array_column( sw_dir_rows( $user->ID ), 'sid' ), 'a later session is listed' );
			sw_assert_same( array( Session_Id::make( $user->ID, $new ) ), sw_dir_ids( Session_Directory::query( array( 'user' => $user->ID ) ) ) );
		} finally {
			false === $restore ? delete_site_option( Settings::EPOCH_OPTION ) : update_site_option( Settings::EPOCH_OPTION, $restore );
		}
		Session_Index::sync_users( array( $user->ID ) );
		sw_assert_same( 2, count( sw_dir_rows( $user->ID ) ), 'without the epoch the older one is live again' );

		$wpdb->update( Session_Index::table(), array( 'expiration' => $now - 1 ), array( 'user_id' => $user->ID, 'sid' => Session_Id::hash( $user->ID, $old ) ) );
		Session_Directory::query( array( 'country' => 'ZZ' ) ); // Any query, on any filter.
		sw_assert_same( 1, count( sw_dir_rows( $user->ID ) ), 'expired row pruned' );
	}
);

sw_test(
	'index: the schema version is stored, install is idempotent, deleting a user drops their rows',
	function () {
		Session_Index::install();
		Session_Index::install();
		sw_assert_same( Session_Index::DB_VERSION, (int) get_site_option( Session_Index::VERSION_OPTION ) );
		$user = sw_dir_user( 'swdir_deleted' );
		sw_dir_session( $user );
		sw_assert_same( 1, count( sw_dir_rows( $user->ID ) ) );
		wp_delete_user( $user->ID );
		sw_assert_same( array(), sw_dir_rows( $user->ID ) );
	}
);

sw_test(
	'capability: administrators get session_warden_manage_sessions; ensure_capability() repairs it; others do not have it',
	function () {
		$role = get_role( 'administrator' );
		Lifecycle::ensure_capability();
		sw_assert( $role->has_cap( Session_Directory::CAP ), 'administrator has it' );
		sw_assert_same( false, Lifecycle::ensure_capability(), 'nothing to do' );
		$role->remove_cap( Session_Directory::CAP );
		try {
			sw_assert( ! get_role( 'administrator' )->has_cap( Session_Directory::CAP ), 'removed' );
			sw_assert_same( true, Lifecycle::ensure_capability(), 'repaired' );
		} finally {
			get_role( 'administrator' )->add_cap( Session_Directory::CAP );
		}
		try {
			Lifecycle::remove_capability(); // What uninstall does on every site.
			sw_assert( ! get_role( 'administrator' )->has_cap( Session_Directory::CAP ), 'uninstall takes it away' );
			Lifecycle::activate();
			sw_assert( get_role( 'administrator' )->has_cap( Session_Directory::CAP ), 'activation gives it back' );
		} finally {
			get_role( 'administrator' )->add_cap( Session_Directory::CAP );
		}
		sw_assert( user_can( sw_fixture_user( 'swdir_cap_admin', 'administrator' ), Session_Directory::CAP ), 'an administrator can' );
		sw_assert( ! user_can( sw_fixture_user( 'swdir_cap_editor', 'editor' ), Session_Directory::CAP ), 'an editor cannot' );
	}
);

sw_test(
	'index: the person row comes with a user\'s first listed session, is not rewritten by a later sign-in or by rewrites of listed sessions, comes back with a row the index had lost, and follows a profile change',
	function () {
		global $wpdb;
		$people = Session_Index::users_table();
		$person = static function ( int $user_id ) use ( $wpdb, $people ): ?array {
			return $wpdb->get_row( $wpdb->prepare( "SELECT user_login, display_name FROM {$people} WHERE user_id = %d", $user_id ), ARRAY_A ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		};
		$user = sw_dir_user( 'swdir_person' );
		try {
			sw_dir_person_checks( $user, $person );
		} finally {
			WP_Session_Tokens::get_instance( $user->ID )->destroy_all();
			Session_Index::sync_users( array( $user->ID ) );
		}
	}
);

/**
 * The checks of the person-row test.
 *
 * @param WP_User  $user   Fixture user without sessions.
 * @param callable $person Reads the user's person row.
 */
function sw_dir_person_checks( WP_User $user, callable $person ): void {
	global $wpdb;
	$people = Session_Index::users_table();
	sw_assert_same( null, $person( $user->ID ), 'no session, no person row' );
	[ , $first ] = sw_dir_session( $user );
	sw_assert_same( 'swdir_person', $person( $user->ID )['user_login'] ?? null, 'written with the first session' );

	// A later sign-in and rewrites of listed sessions leave the person row alone: a changed copy shows they
	// did not write it. The sign-in's index write is what its set_logged_in_cookie action runs.
	$wpdb->update( $people, array( 'display_name' => 'untouched' ), array( 'user_id' => $user->ID ) );
	$token  = WP_Session_Tokens::get_instance( $user->ID )->create( time() + DAY_IN_SECONDS );
	$store  = new Session_Store();
	$second = $store->verifier_for_token( $token );
	Session_Index::logged_in( '', 0, 0, $user->ID, 'logged_in', $token );
	$record = $store->get( $user->ID, $first );
	$record[ Session_Record::KEY ]['last_activity'] = time() + 5;
	$store->update( $user->ID, $first, $record );
	sw_assert_same( 2, count( sw_dir_rows( $user->ID ) ), 'both sessions listed' );
	sw_assert_same( 'untouched', $person( $user->ID )['display_name'] ?? null, 'person row not rewritten' );

	// An index that lost a session's row and the person row (a failed write): rewriting the session puts both back.
	$wpdb->delete( Session_Index::table(), array( 'user_id' => $user->ID ), array( '%d' ) );
	$wpdb->delete( $people, array( 'user_id' => $user->ID ), array( '%d' ) );
	$record[ Session_Record::KEY ]['last_activity'] = time() + 10;
	$store->update( $user->ID, $first, $record );
	sw_assert_same( array( Session_Id::hash( $user->ID, $first ) ), array_column( sw_dir_rows( $user->ID ), 'sid' ), 'the rewritten session is listed again' );
	sw_assert_same( 'swdir_person', $person( $user->ID )['user_login'] ?? null, 'and its person row' );

	// A profile change reaches the person row, and a search by the new name finds both sessions.
	wp_update_user(
		array(
			'ID'           => $user->ID,
			'display_name' => 'Swdir Person Renamed',
		)
	);
	sw_assert_same( 'Swdir Person Renamed', $person( $user->ID )['display_name'] ?? null, 'display name followed' );
	$found = sw_dir_ids( Session_Directory::query( array( 'search' => 'Swdir Person Renamed' ) ) );
	sort( $found );
	$expected = array( Session_Id::make( $user->ID, $first ), Session_Id::make( $user->ID, $second ) );
	sort( $expected );
	sw_assert_same( $expected, $found, 'found by the new name' );
}
