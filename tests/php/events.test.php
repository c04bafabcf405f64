<?php
/**
 * The event log against the site's MariaDB: table creation and upgrade, record() (cleaning, actions,
 * failure handling), prune(), query() and count().
 */

use SessionWarden\Events;
use SessionWarden\Lifecycle;

/** Runs $fn with the events table moved aside (and puts it back afterwards, whatever $fn did). */
function sw_events_without_table( callable $fn ): void {
	global $wpdb;
	$table  = Events::table();
	$backup = $table . '_swbak';
	$wpdb->query( "DROP TABLE IF EXISTS {$backup}" );
	$wpdb->query( "RENAME TABLE {$table} TO {$backup}" );
	try {
		sw_assert( ! sw_events_table_exists(), 'the table was moved aside' );
		$fn();
	} finally {
		$wpdb->query( "DROP TABLE IF EXISTS {$table}" );
		$wpdb->query( "RENAME TABLE {$backup} TO {$table}" );
	}
}

function sw_events_table_exists(): bool {
	global $wpdb;
	$table = Events::table();
	return $table === $wpdb->get_var( $wpdb->prepare( 'SHOW TABLES LIKE %s', $wpdb->esc_like( $table ) ) );
}

/** Column => "type null default", with integer display widths removed (MySQL 8 drops them). */
function sw_events_columns(): array {
	global $wpdb;
	$out = array();
	foreach ( $wpdb->get_results( 'SHOW COLUMNS FROM ' . Events::table(), ARRAY_A ) as $col ) {
		$type                  = preg_replace( '/^(bigint|int)\(\d+\)/', '$1', strtolower( $col['Type'] ) );
		$out[ $col['Field'] ] = trim( sprintf( '%s %s %s %s', $type, $col['Null'], var_export( $col['Default'], true ), $col['Extra'] ) );
	}
	return $out;
}

/** Index name => column list. */
function sw_events_indexes(): array {
	global $wpdb;
	$out = array();
	foreach ( $wpdb->get_results( 'SHOW INDEX FROM ' . Events::table(), ARRAY_A ) as $index ) {
		$out[ $index['Key_name'] ][ (int) $index['Seq_in_index'] - 1 ] = $index['Column_name'];
	}
	ksort( $out );
	return $out;
}

/** Deletes the fixture user's events (so a rerun starts clean). */
function sw_events_forget( int $user_id ): void {
	global $wpdb;
	$wpdb->delete( Events::table(), array( 'user_id' => $user_id ), array( '%d' ) );
}

/** Moves events back in time (seconds) by id. */
function sw_events_age( array $ids, int $seconds ): void {
	global $wpdb;
	$table = Events::table();
	$in    = implode( ',', array_map( 'intval', $ids ) );
	$wpdb->query( $wpdb->prepare( "UPDATE {$table} SET created_at = created_at - %d WHERE id IN ($in)", $seconds ) );
}

/** The newest event of a user, as query() returns it. */
function sw_events_last( int $user_id ): ?array {
	return Events::query(
		array(
			'user_id' => $user_id,
			'limit'   => 1,
		)
	)[0] ?? null;
}

sw_test(
	'activation creates the events table with its columns and indexes, and stores the schema version',
	function () {
		global $wpdb;
		sw_assert_same( $wpdb->base_prefix . 'session_warden_events', Events::table() );
		sw_events_without_table(
			function () {
				global $wpdb;
				delete_option( Events::VERSION_OPTION );
				Lifecycle::activate();
				sw_assert( sw_events_table_exists(), 'activation created the table' );
				sw_assert_same( Events::DB_VERSION, (int) get_site_option( Events::VERSION_OPTION ), 'schema version' );
				sw_assert_same(
					array(
						'id'         => "bigint unsigned NO NULL auto_increment",
						'created_at' => "bigint unsigned NO '0'",
						'site_id'    => "bigint unsigned NO '0'",
						'user_id'    => "bigint unsigned NO '0'",
						'type'       => "varchar(32) NO ''",
						'reason'     => "varchar(32) NO ''",
						'verifier'   => "varchar(64) NO ''",
						'ip'         => "varchar(45) NO ''",
						'country'    => "char(2) NO ''",
						'device'     => "varchar(191) NO ''",
						'data'       => "longtext YES NULL",
					),
					sw_events_columns(),
					'columns'
				);
				sw_assert_same(
					array(
						'PRIMARY'      => array( 'id' ),
						'created_at'   => array( 'created_at' ),
						'type_created' => array( 'type', 'created_at' ),
						'user_created' => array( 'user_id', 'created_at' ),
					),
					sw_events_indexes(),
					'indexes'
				);

				// A second activation leaves the table exactly as it is.
				Events::record( Events::LOGIN_FAILED, 0, array( 'reason' => 'probe' ) );
				$before = $wpdb->get_row( 'SHOW CREATE TABLE ' . Events::table(), ARRAY_N )[1];
				Lifecycle::activate();
				sw_assert_same( $before, $wpdb->get_row( 'SHOW CREATE TABLE ' . Events::table(), ARRAY_N )[1], 'schema after a second activation' );
				sw_assert_same( 1, Events::count( array( 'type' => Events::LOGIN_FAILED ) ), 'rows survive a second activation' );
			}
		);
	}
);

sw_test(
	'maybe_upgrade() leaves a current schema alone and reinstalls when the version option is missing or older',
	function () {
		sw_events_without_table(
			function () {
				update_option( Events::VERSION_OPTION, Events::DB_VERSION );
				Events::maybe_upgrade();
				sw_assert( ! sw_events_table_exists(), 'a current version does not run dbDelta' );

				delete_option( Events::VERSION_OPTION );
				Events::maybe_upgrade();
				sw_assert( sw_events_table_exists(), 'a missing version recreated the table' );
				sw_assert_same( Events::DB_VERSION, (int) get_site_option( Events::VERSION_OPTION ) );

				global $wpdb;
				$wpdb->query( 'DROP TABLE ' . Events::table() );
				update_option( Events::VERSION_OPTION, Events::DB_VERSION - 1 );
				Events::maybe_upgrade();
				sw_assert( sw_events_table_exists(), 'an older version recreated the table' );
				sw_assert_same( Events::DB_VERSION, (int) get_site_option( Events::VERSION_OPTION ) );
			}
		);
		sw_assert_same( Events::DB_VERSION, (int) get_site_option( Events::VERSION_OPTION ), 'version after the test' );
	}
);

sw_test(
	'record() stores the event and fires session_warden_event and session_warden_event_{type} with the stored row',
	function () {
		$user = sw_fixture_user( 'sw_events_a', 'subscriber' );
		sw_events_forget( $user->ID );
		$seen     = array();
		$generic  = function ( $type, $event ) use ( &$seen ) {
			$seen[] = array( 'generic', $type, $event );
		};
		$specific = function ( $event ) use ( &$seen ) {
			$seen[] = array( 'specific', $event );
		};
		$other    = function () use ( &$seen ) {
			$seen[] = array( 'wrong type' );
		};
		add_action( 'session_warden_event', $generic, 10, 2 );
		add_action( 'session_warden_event_session_ended', $specific );
		add_action( 'session_warden_event_session_created', $other );
		try {
			$t0       = time();
			$verifier = hash( 'sha256', 'sw-events-token' );
			Events::record(
				Events::SESSION_ENDED,
				$user->ID,
				array(
					'reason'   => 'idle',
					'verifier' => $verifier,
					'ip'       => '2001:db8::1',
					'country'  => 'nl',
					'device'   => 'Firefox 126 on Linux',
					'data'     => array(
						'source' => 'test',
						'n'      => 3,
					),
				)
			);
		} finally {
			remove_action( 'session_warden_event', $generic, 10 );
			remove_action( 'session_warden_event_session_ended', $specific );
			remove_action( 'session_warden_event_session_created', $other );
		}

		$stored = sw_events_last( $user->ID );
		sw_assert( is_array( $stored ), 'the event is in the table' );
		sw_assert( $stored['id'] > 0, 'id' );
		sw_assert( $stored['created_at'] >= $t0 && $stored['created_at'] <= time(), 'created_at is now' );
		unset( $stored['id'], $stored['created_at'] );
		sw_assert_same(
			array(
				'site_id'  => get_current_blog_id(),
				'user_id'  => $user->ID,
				'type'     => 'session_ended',
				'reason'   => 'idle',
				'verifier' => $verifier,
				'ip'       => '2001:db8::1',
				'country'  => 'NL',
				'device'   => 'Firefox 126 on Linux',
				'data'     => array(
					'source' => 'test',
					'n'      => 3,
				),
			),
			$stored
		);

		$event = sw_events_last( $user->ID );
		sw_assert_same( 2, count( $seen ), 'two actions fired, not the other type\'s: ' . json_encode( $seen ) );
		sw_assert_same( array( 'generic', 'session_ended', $event ), $seen[0] );
		sw_assert_same( array( 'specific', $event ), $seen[1] );
		sw_events_forget( $user->ID );
	}
);

sw_test(
	'record() cleans every field and cuts it to its column (a 300-character ip does not lose the event)',
	function () {
		$user = sw_fixture_user( 'sw_events_a', 'subscriber' );
		sw_events_forget( $user->ID );
		Events::record(
			Events::FLAG_RAISED,
			$user->ID,
			array(
				'reason'   => str_repeat( 'Ip_Shift', 10 ),
				'verifier' => str_repeat( 'ABCDEF0123', 20 ) . '<script>',
				'ip'       => str_repeat( '1', 300 ),
				'country'  => 'xyz',
				'device'   => "<b>Chr\u{f6}me</b>\n" . str_repeat( "\u{e9}", 400 ),
				'data'     => array( 'big' => str_repeat( 'x', Events::MAX_DATA_BYTES ) ),
			)
		);
		$event = sw_events_last( $user->ID );
		sw_assert( is_array( $event ), 'the oversize event was stored' );
		sw_assert_same( 'flag_raised', $event['type'] );
		sw_assert_same( substr( str_repeat( 'ip_shift', 10 ), 0, 32 ), $event['reason'], 'reason: key, 32 characters' );
		sw_assert_same( substr( str_repeat( 'abcdef0123', 20 ), 0, 64 ), $event['verifier'], 'verifier: hex, 64 characters' );
		sw_assert_same( str_repeat( '1', 45 ), $event['ip'], 'ip: 45 characters' );
		sw_assert_same( '', $event['country'], 'country: two letters or nothing' );
		sw_assert_same( 191, mb_strlen( $event['device'] ), 'device: 191 characters' );
		sw_assert_match( "/^Chr\u{f6}me \u{e9}+$/u", $event['device'], 'device: plain text on one line' );
		sw_assert_same( true, $event['data']['truncated'] ?? null, 'oversize data is replaced by a note' );

		// Non-string fields, an odd type, a negative user.
		Events::record(
			'Engine Failed!',
			-5,
			array(
				'reason' => array( 'not', 'text' ),
				'ip'     => new stdClass(),
				'data'   => 'not an array',
			)
		);
		$odd = Events::query(
			array(
				'user_id' => 0,
				'type'    => 'enginefailed',
				'limit'   => 1,
			)
		)[0] ?? null;
		sw_assert( is_array( $odd ), 'an odd event is stored under its cleaned type' );
		sw_assert_same( array( '', '', null ), array( $odd['reason'], $odd['ip'], $odd['data'] ) );
		global $wpdb;
		$wpdb->delete( Events::table(), array( 'id' => $odd['id'] ) );
		sw_events_forget( $user->ID );
	}
);

sw_test(
	'record() stores a plain ASCII event in one statement (no SHOW FULL COLUMNS first), and a non-ASCII one as before',
	function () {
		global $wpdb;
		$user = sw_fixture_user( 'sw_events_a', 'subscriber' );
		sw_events_forget( $user->ID );
		// Forget what wpdb learnt about the table's charsets, as at the start of a sign-in request.
		$forget = static function () use ( $wpdb ): void {
			foreach ( array( 'table_charset', 'col_meta' ) as $name ) {
				( new ReflectionProperty( $wpdb, $name ) )->setValue( $wpdb, array() );
			}
		};
		$forget();
		$queries = array();
		$watch   = static function ( $query ) use ( &$queries ) {
			$queries[] = $query;
			return $query;
		};
		add_filter( 'query', $watch );
		try {
			Events::record(
				Events::SESSION_CREATED,
				$user->ID,
				array(
					'verifier' => hash( 'sha256', 'sw-events-ascii' ),
					'ip'       => '192.0.2.7',
					'device'   => 'Chrome 126 on Linux',
				)
			);
		} finally {
			remove_filter( 'query', $watch );
		}
		sw_assert_same( 1, count( $queries ), 'one statement: ' . implode( ' | ', $queries ) );
		sw_assert_match( '/^INSERT INTO /', $queries[0] );
		$stored = sw_events_last( $user->ID );
		sw_assert_same(
			array( 'session_created', 'Chrome 126 on Linux', '192.0.2.7', null ),
			array( $stored['type'] ?? null, $stored['device'] ?? null, $stored['ip'] ?? null, is_array( $stored ) && array_key_exists( 'data', $stored ) ? $stored['data'] : 'missing' ),
			'stored with a NULL data'
		);

		$forget();
		Events::record( Events::SESSION_CREATED, $user->ID, array( 'device' => "Chr\u{f6}me 126", 'data' => array( 'name' => "J\u{fc}rgen" ) ) );
		$stored = sw_events_last( $user->ID );
		sw_assert_same( array( "Chr\u{f6}me 126", array( 'name' => "J\u{fc}rgen" ) ), array( $stored['device'] ?? null, $stored['data'] ?? null ), 'non-ASCII event' );
		sw_events_forget( $user->ID );
	}
);

sw_test(
	'record() never throws: without its table it logs once and still tells listeners (id 0); a throwing listener is contained',
	function () {
		$user = sw_fixture_user( 'sw_events_a', 'subscriber' );
		$log  = tempnam( sys_get_temp_dir(), 'sw-events-log' );
		$was  = ini_set( 'error_log', $log );
		( new ReflectionProperty( Events::class, 'logged' ) )->setValue( null, false );
		$seen  = array();
		$watch = function ( $type, $event ) use ( &$seen ) {
			$seen[] = $event['id'];
		};
		$throw = function () {
			throw new RuntimeException( 'listener broke' );
		};
		add_action( 'session_warden_event', $watch, 10, 2 );
		try {
			sw_events_without_table(
				function () use ( $user ) {
					Events::record( Events::LOGIN_FAILED, $user->ID, array( 'reason' => 'bad_password' ) );
					Events::record( Events::LOGIN_FAILED, $user->ID, array( 'reason' => 'bad_password' ) );
				}
			);
			add_action( 'session_warden_event_login_blocked', $throw );
			Events::record( Events::LOGIN_BLOCKED, $user->ID, array( 'reason' => 'limit_user' ) );
		} finally {
			remove_action( 'session_warden_event', $watch, 10 );
			remove_action( 'session_warden_event_login_blocked', $throw );
			ini_set( 'error_log', (string) $was );
			( new ReflectionProperty( Events::class, 'logged' ) )->setValue( null, false );
		}
		$lines = array_values( array_filter( explode( "\n", (string) file_get_contents( $log ) ) ) );
		unlink( $log );
		sw_assert_same( 1, count( $lines ), 'one log line for two failures: ' . implode( ' | ', $lines ) );
		sw_assert_match( '/Session Warden: a login_failed event could not be stored/', $lines[0] );
		sw_assert_same( 3, count( $seen ), 'listeners heard all three events' );
		sw_assert_same( array( 0, 0 ), array( $seen[0], $seen[1] ), 'unstored events have id 0' );
		sw_assert( $seen[2] > 0, 'the event after the broken listener was stored' );
		sw_assert_same( 'login_blocked', sw_events_last( $user->ID )['type'] ?? null );
		sw_events_forget( $user->ID );
	}
);

sw_test(
	'prune() deletes only events older than the retention period, past one 5000-row batch',
	function () {
		global $wpdb;
		$user  = sw_fixture_user( 'sw_events_a', 'subscriber' );
		$table = Events::table();
		sw_events_forget( $user->ID );
		Events::record( Events::SESSION_CREATED, $user->ID );
		$fresh = sw_events_last( $user->ID )['id'];
		Events::record( Events::SESSION_CREATED, $user->ID );
		$edge = sw_events_last( $user->ID )['id'];
		sw_events_age( array( $edge ), 30 * DAY_IN_SECONDS - 60 ); // Inside 30 days by a minute.

		// More old rows than one batch, written in one statement.
		$old   = Events::PRUNE_BATCH + 7;
		$value = $wpdb->prepare( '(%d, 1, %d, %s)', time() - 31 * DAY_IN_SECONDS, $user->ID, 'session_ended' );
		$wpdb->query( "INSERT INTO {$table} (created_at, site_id, user_id, type) VALUES " . implode( ',', array_fill( 0, $old, $value ) ) );
		sw_assert_same( $old + 2, Events::count( array( 'user_id' => $user->ID ) ), 'rows before pruning' );

		$others = (int) $wpdb->get_var( $wpdb->prepare( "SELECT COUNT(*) FROM {$table} WHERE created_at < %d AND user_id <> %d", time() - 30 * DAY_IN_SECONDS, $user->ID ) );
		sw_assert_same( 0, Events::prune( 0 ), 'a retention below one day deletes nothing' );
		sw_assert_same( $old + 2, Events::count( array( 'user_id' => $user->ID ) ), 'still every row' );

		sw_assert_same( $old + $others, Events::prune( 30 ), 'rows deleted' );
		$left = array_column( Events::query( array( 'user_id' => $user->ID ) ), 'id' );
		sort( $left );
		sw_assert_same( array( $fresh, $edge ), $left, 'the fresh and the 29-day-old event are kept' );
		sw_events_forget( $user->ID );
	}
);

sw_test(
	'query() and count() filter by user, type, time and site, newest first, with limit (at most 500) and offset',
	function () {
		$a = sw_fixture_user( 'sw_events_a', 'subscriber' );
		$b = sw_fixture_user( 'sw_events_b', 'subscriber' );
		sw_events_forget( $a->ID );
		sw_events_forget( $b->ID );
		$ids = array();
		foreach ( array( Events::SESSION_CREATED, Events::LOGIN_BLOCKED, Events::SESSION_ENDED, Events::SESSION_CREATED ) as $i => $type ) {
			Events::record( $type, $a->ID, array( 'reason' => "r$i" ) );
			$ids[ $i ] = sw_events_last( $a->ID )['id'];
		}
		Events::record( Events::SESSION_CREATED, $b->ID );
		// Spread a's events over time: r0 oldest (3 h ago) … r3 newest (now).
		sw_events_age( array( $ids[0] ), 3 * HOUR_IN_SECONDS );
		sw_events_age( array( $ids[1] ), 2 * HOUR_IN_SECONDS );
		sw_events_age( array( $ids[2] ), HOUR_IN_SECONDS );
		$now = time();
		$got = fn ( array $args ) => array_column( Events::query( $args ), 'reason' );

		sw_assert_same( array( 'r3', 'r2', 'r1', 'r0' ), $got( array( 'user_id' => $a->ID ) ), 'newest first' );
		sw_assert_same( 4, Events::count( array( 'user_id' => $a->ID ) ) );
		sw_assert_same(
			array( 'r3', 'r0' ),
			$got(
				array(
					'user_id' => $a->ID,
					'type'    => Events::SESSION_CREATED,
				)
			),
			'by type'
		);
		sw_assert_same(
			array( 'r2', 'r1' ),
			$got(
				array(
					'user_id' => $a->ID,
					'type'    => array( Events::SESSION_ENDED, Events::LOGIN_BLOCKED ),
				)
			),
			'by several types'
		);
		sw_assert_same(
			array(),
			$got(
				array(
					'user_id' => $a->ID,
					'type'    => array( '!!!' ),
				)
			),
			'only invalid types match nothing'
		);
		sw_assert_same(
			array( 'r2', 'r1' ),
			$got(
				array(
					'user_id' => $a->ID,
					'since'   => $now - 2 * HOUR_IN_SECONDS - 30,
					'until'   => $now - HOUR_IN_SECONDS + 30,
				)
			),
			'by time'
		);
		sw_assert_same(
			2,
			Events::count(
				array(
					'user_id' => $a->ID,
					'since'   => $now - 2 * HOUR_IN_SECONDS - 30,
					'until'   => $now - HOUR_IN_SECONDS + 30,
				)
			),
			'count by time'
		);
		sw_assert_same(
			array( 'r2', 'r1' ),
			$got(
				array(
					'user_id' => $a->ID,
					'limit'   => 2,
					'offset'  => 1,
				)
			),
			'limit and offset'
		);
		sw_assert_same(
			4,
			count(
				Events::query(
					array(
						'user_id' => $a->ID,
						'site_id' => get_current_blog_id(),
					)
				)
			),
			'this site'
		);
		sw_assert_same(
			0,
			Events::count(
				array(
					'user_id' => $a->ID,
					'site_id' => get_current_blog_id() + 1000,
				)
			),
			'another site'
		);
		sw_assert_same( 1, Events::count( array( 'user_id' => $b->ID ) ), 'the other user' );
		sw_assert_same( array( '' ), $got( array( 'user_id' => $b->ID ) ) );

		// The limit is capped at 500.
		global $wpdb;
		$table = Events::table();
		$value = $wpdb->prepare( '(%d, 1, %d, %s)', time() - 10, $b->ID, 'login_failed' );
		$wpdb->query( "INSERT INTO {$table} (created_at, site_id, user_id, type) VALUES " . implode( ',', array_fill( 0, 510, $value ) ) );
		sw_assert_same(
			500,
			count(
				Events::query(
					array(
						'user_id' => $b->ID,
						'limit'   => 10000,
					)
				)
			),
			'limit cap'
		);
		sw_assert_same( 50, count( Events::query( array( 'user_id' => $b->ID ) ) ), 'default limit' );
		sw_assert_same( 511, Events::count( array( 'user_id' => $b->ID ) ), 'count ignores the limit' );
		sw_events_forget( $a->ID );
		sw_events_forget( $b->ID );
	}
);
