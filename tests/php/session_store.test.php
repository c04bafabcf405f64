<?php
/**
 * Session_Store against the real WordPress: core's usermeta backend, and a custom
 * `session_token_manager` backend registered only for the duration of a test.
 */

use SessionWarden\Session_Store;

/**
 * A session backend that keeps everything in a static array, standing in for Redis or a custom table.
 * Its storage never touches usermeta, so a test can tell whether the store really went through the manager.
 */
class SW_Test_Array_Session_Tokens extends WP_Session_Tokens {
	/** @var array<int, array<string, array>> */
	public static array $store = array();

	protected function get_sessions() {
		return self::$store[ $this->user_id ] ?? array();
	}

	protected function get_session( $verifier ) {
		return self::$store[ $this->user_id ][ $verifier ] ?? null;
	}

	protected function update_session( $verifier, $session = null ) {
		if ( $session ) {
			self::$store[ $this->user_id ][ $verifier ] = $session;
		} else {
			unset( self::$store[ $this->user_id ][ $verifier ] );
		}
	}

	protected function destroy_other_sessions( $verifier ) {
		$keep                           = self::$store[ $this->user_id ][ $verifier ] ?? null;
		self::$store[ $this->user_id ] = $keep ? array( $verifier => $keep ) : array();
	}

	protected function destroy_all_sessions() {
		self::$store[ $this->user_id ] = array();
	}

	public static function drop_sessions() {
		self::$store = array();
	}
}

/** The test's custom backend as a session_token_manager filter callback. */
function sw_test_array_manager(): string {
	return SW_Test_Array_Session_Tokens::class;
}

/**
 * Runs the same checks against whichever backend is active; returns nothing, fails on the first mismatch.
 */
function sw_session_store_exercise( WP_User $user, WP_User $other ): void {
	$store   = new Session_Store();
	$manager = WP_Session_Tokens::get_instance( $user->ID );

	$manager->destroy_all();
	WP_Session_Tokens::get_instance( $other->ID )->destroy_all();
	$other_token = WP_Session_Tokens::get_instance( $other->ID )->create( time() + 3600 );
	$other_before = $store->all( $other->ID );

	$tokens = array();
	for ( $i = 0; $i < 4; $i++ ) {
		$tokens[] = $manager->create( time() + 3600 + $i );
	}
	$verifiers = array_map( array( $store, 'verifier_for_token' ), $tokens );

	// all() / get() by verifier.
	$all = $store->all( $user->ID );
	sw_assert_same( 4, count( $all ), 'sessions listed' );
	foreach ( $verifiers as $i => $verifier ) {
		sw_assert( isset( $all[ $verifier ] ), "verifier $i is a key of all()" );
		$session = $store->get( $user->ID, $verifier );
		sw_assert( is_array( $session ), "get() finds session $i" );
		sw_assert_same( time() + 3600 + $i >= $session['expiration'] && $session['expiration'] > time(), true, 'expiration kept' );
		sw_assert( is_int( $session['login'] ), 'core stamped the login time' );
	}
	sw_assert_same( null, $store->get( $user->ID, str_repeat( 'a', 64 ) ), 'unknown verifier' );
	sw_assert_same( null, $store->get( $other->ID, $verifiers[0] ), 'a verifier of another user' );

	// update(): one session changes, the others and the other user stay as they were.
	$session                  = $store->get( $user->ID, $verifiers[1] );
	$session['sw_last_seen']  = 1234567890;
	$store->update( $user->ID, strtoupper( $verifiers[1] ), $session );
	$after = $store->all( $user->ID );
	sw_assert_same( 1234567890, $after[ $verifiers[1] ]['sw_last_seen'] ?? null, 'updated key' );
	foreach ( array( 0, 2, 3 ) as $i ) {
		sw_assert_same( $all[ $verifiers[ $i ] ], $after[ $verifiers[ $i ] ], "session $i untouched by update" );
	}
	sw_assert( $manager->verify( $tokens[1] ), 'the updated session still verifies through core' );
	sw_assert_throws(
		InvalidArgumentException::class,
		fn () => $store->update( $user->ID, str_repeat( 'b', 64 ), array( 'expiration' => time() + 60 ) )
	);
	sw_assert_same( null, $store->get( $user->ID, str_repeat( 'b', 64 ) ), 'update() did not create a session' );
	sw_assert_throws(
		InvalidArgumentException::class,
		fn () => $store->update( $user->ID, $verifiers[1], array( 'sw_last_seen' => 1 ) )
	);

	// destroy() one, then destroy_many() with a duplicate and an unknown verifier.
	sw_assert_same( true, $store->destroy( $user->ID, $verifiers[0] ), 'destroy existing' );
	sw_assert_same( false, $store->destroy( $user->ID, $verifiers[0] ), 'destroy again' );
	sw_assert( ! $manager->verify( $tokens[0] ), 'the destroyed token no longer verifies' );
	sw_assert( $manager->verify( $tokens[3] ), 'the others still verify' );
	sw_assert_same( 2, $store->destroy_many( $user->ID, array( $verifiers[1], $verifiers[2], $verifiers[2], $verifiers[0], str_repeat( 'c', 40 ) ) ), 'destroy_many count' );
	sw_assert_same( array( $verifiers[3] ), array_keys( $store->all( $user->ID ) ), 'only the last session is left' );
	sw_assert_same( 0, $store->destroy_many( $user->ID, array() ), 'destroy_many of nothing' );

	// A bad verifier anywhere in the list: nothing is destroyed.
	sw_assert_throws( InvalidArgumentException::class, fn () => $store->destroy_many( $user->ID, array( $verifiers[3], 'nope' ) ) );
	sw_assert( $manager->verify( $tokens[3] ), 'destroy_many with a bad verifier wrote nothing' );

	sw_assert_same( $other_before, $store->all( $other->ID ), "the other user's sessions did not change" );
	sw_assert( WP_Session_Tokens::get_instance( $other->ID )->verify( $other_token ), "the other user's session still verifies" );

	$manager->destroy_all();
	WP_Session_Tokens::get_instance( $other->ID )->destroy_all();
}

sw_test(
	'all/get/update/destroy by verifier through core\'s usermeta backend',
	function () {
		$user  = sw_fixture_user( 'sw_store_a', 'subscriber' );
		$other = sw_fixture_user( 'sw_store_b', 'subscriber' );
		sw_session_store_exercise( $user, $other );
	}
);

sw_test(
	'the same operations through a custom session_token_manager backend, without touching usermeta',
	function () {
		$user  = sw_fixture_user( 'sw_store_a', 'subscriber' );
		$other = sw_fixture_user( 'sw_store_b', 'subscriber' );
		WP_Session_Tokens::get_instance( $user->ID )->destroy_all();

		add_filter( 'session_token_manager', 'sw_test_array_manager' );
		try {
			sw_assert( WP_Session_Tokens::get_instance( $user->ID ) instanceof SW_Test_Array_Session_Tokens, 'custom backend active' );
			$token = WP_Session_Tokens::get_instance( $user->ID )->create( time() + 3600 );
			$store = new Session_Store();
			sw_assert_same( array( $store->verifier_for_token( $token ) ), array_keys( SW_Test_Array_Session_Tokens::$store[ $user->ID ] ), 'the session lives in the custom store' );
			sw_assert_same( '', get_user_meta( $user->ID, 'session_tokens', true ), 'and not in usermeta' );
			sw_session_store_exercise( $user, $other );
			sw_assert_same( '', get_user_meta( $user->ID, 'session_tokens', true ), 'usermeta still untouched' );
		} finally {
			remove_filter( 'session_token_manager', 'sw_test_array_manager' );
			SW_Test_Array_Session_Tokens::drop_sessions();
		}
		sw_assert( WP_Session_Tokens::get_instance( $user->ID ) instanceof WP_User_Meta_Session_Tokens, 'core backend restored' );
	}
);

sw_test(
	'all() returns what the backend returns, expired records and legacy bare timestamps included',
	function () {
		$user = sw_fixture_user( 'sw_store_a', 'subscriber' );
		add_filter( 'session_token_manager', 'sw_test_array_manager' );
		try {
			$live    = str_repeat( '1', 64 );
			$expired = str_repeat( '2', 64 );
			$legacy  = str_repeat( '3', 40 );
			SW_Test_Array_Session_Tokens::$store[ $user->ID ] = array(
				$live    => array( 'expiration' => time() + 60 ),
				$expired => array( 'expiration' => time() - 60 ),
				$legacy  => time() + 120,
			);
			$all = ( new Session_Store() )->all( $user->ID );
			sw_assert_same( array( $live, $expired, $legacy ), array_keys( $all ) );
			sw_assert_same( array( 'expiration' => time() + 120 ), $all[ $legacy ], 'legacy record upgraded like core does' );
		} finally {
			remove_filter( 'session_token_manager', 'sw_test_array_manager' );
			SW_Test_Array_Session_Tokens::drop_sessions();
		}
	}
);

sw_test(
	'verifier_for_token() is the hash core stores (private WP_Session_Tokens::hash_token)',
	function () {
		$user    = sw_fixture_user( 'sw_store_a', 'subscriber' );
		$manager = WP_Session_Tokens::get_instance( $user->ID );
		$hash    = new ReflectionMethod( $manager, 'hash_token' );
		$store   = new Session_Store();
		foreach ( array( 'abc', wp_generate_password( 43, false, false ), "with\0nul" ) as $token ) {
			sw_assert_same( $hash->invoke( $manager, $token ), $store->verifier_for_token( $token ) );
		}
		sw_assert_match( '/^[0-9a-f]{64}$/', $store->verifier_for_token( 'x' ) );
		sw_assert_throws( InvalidArgumentException::class, fn () => $store->verifier_for_token( '' ) );
	}
);

sw_test(
	'bad verifiers and user ids are refused with clear messages',
	function () {
		$user  = sw_fixture_user( 'sw_store_a', 'subscriber' );
		$store = new Session_Store();
		foreach ( array( '', 'abc', str_repeat( 'g', 64 ), str_repeat( 'a', 63 ), str_repeat( 'a', 65 ), str_repeat( 'a', 41 ), "'; DROP TABLE x; --" ) as $bad ) {
			$e = sw_assert_throws( InvalidArgumentException::class, fn () => $store->get( $user->ID, $bad ) );
			sw_assert_match( '/Not a session verifier/', $e->getMessage() );
			sw_assert_throws( InvalidArgumentException::class, fn () => $store->destroy( $user->ID, $bad ) );
		}
		sw_assert_same( str_repeat( 'a', 40 ), $store->verifier( ' ' . str_repeat( 'A', 40 ) ), 'sha1 length, normalised' );
		sw_assert_match( '/Not a user ID/', sw_assert_throws( InvalidArgumentException::class, fn () => $store->all( 0 ) )->getMessage() );
		sw_assert_match( '/no user with ID/', sw_assert_throws( InvalidArgumentException::class, fn () => $store->all( PHP_INT_MAX ) )->getMessage() );
		sw_assert_throws( InvalidArgumentException::class, fn () => $store->destroy_many( $user->ID, array( 42 ) ) );
	}
);
