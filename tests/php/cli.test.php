<?php
/**
 * WP-CLI `wp session-warden …`, inside the real WordPress, without WP-CLI (it cannot be installed on the
 * test machines: no registry reached here ships it). What is tested is everything the commands do
 * except WP-CLI's own printing:
 * - Cli\Input (arguments) and Cli\Rows (output rows) directly;
 * - each command's path through the plugin's classes, called exactly as the command calls them, with a
 *   real session, real settings through the real engine, real events;
 * - the command files' docblocks (which WP-CLI turns into the synopsis): no option that WP-CLI itself
 *   takes before a command sees it (--user, --url, …), and every option a command reads is declared;
 * - that without WP-CLI no command class is loaded.
 */

use SessionWarden\Cli;
use SessionWarden\Cli\Input;
use SessionWarden\Cli\Rows;
use SessionWarden\Engine;
use SessionWarden\Engine_Panel;
use SessionWarden\Events;
use SessionWarden\Rest_Settings;
use SessionWarden\Session_Actions;
use SessionWarden\Session_Directory;
use SessionWarden\Session_Id;
use SessionWarden\Settings;

/** WP-CLI's global parameters (its config spec): it takes these out of the arguments of every command. */
const SW_CLI_GLOBALS = array( 'path', 'url', 'ssh', 'http', 'user', 'skip-plugins', 'skip-themes', 'skip-packages', 'require', 'exec', 'context', 'color', 'no-color', 'debug', 'prompt', 'quiet', 'allow-root' );

/** A fresh session for a user, through core's session manager (as a login makes one); returns its id. */
function sw_cli_session( WP_User $user ): string {
	$manager = WP_Session_Tokens::get_instance( $user->ID );
	$token   = $manager->create( time() + DAY_IN_SECONDS );
	return Session_Id::make( $user->ID, hash( 'sha256', $token ) );
}

/** Runs $fn and puts the site's stored settings back afterwards. */
function sw_cli_keep_settings( callable $fn ): void {
	$site = get_option( Settings::OPTION );
	$plan = get_option( Settings::PLAN_OPTION );
	try {
		$fn();
	} finally {
		false === $site ? delete_option( Settings::OPTION ) : update_option( Settings::OPTION, $site );
		false === $plan ? delete_option( Settings::PLAN_OPTION ) : update_option( Settings::PLAN_OPTION, $plan );
	}
}

sw_test(
	'without WP-CLI no command class is loaded, and every registered command has its class file',
	static function (): void {
		sw_assert( ! defined( 'WP_CLI' ), 'this harness runs without WP-CLI' );
		foreach ( Cli::COMMANDS as $name => $class ) {
			sw_assert( ! class_exists( $class, false ), "$class is not loaded outside WP-CLI" );
			$file = SessionWarden\PLUGIN_DIR . 'includes/' . str_replace( array( 'SessionWarden\\', '\\' ), array( '', '/' ), $class ) . '.php';
			sw_assert( is_file( $file ), "$name: $file exists" );
			sw_assert_match( '/^session-warden (sessions|settings|engine|events)$/', $name );
		}
		$plugin = (string) file_get_contents( SessionWarden\PLUGIN_DIR . 'includes/Plugin.php' );
		sw_assert_match( "/if \\( defined\\( 'WP_CLI' \\) && WP_CLI \\) \\{\\s*Cli::register\\(\\);/", $plugin, 'Plugin registers the commands only under WP-CLI' );
	}
);

sw_test(
	'command docblocks: no WP-CLI global option, every option read is declared, subcommands documented',
	static function (): void {
		foreach ( Cli::COMMANDS as $name => $class ) {
			$file   = SessionWarden\PLUGIN_DIR . 'includes/' . str_replace( array( 'SessionWarden\\', '\\' ), array( '', '/' ), $class ) . '.php';
			$source = (string) file_get_contents( $file );
			preg_match_all( '#/\*\*((?:(?!\*/).)*)\*/\s*public function (\w+)\(#s', $source, $methods, PREG_SET_ORDER );
			sw_assert( count( $methods ) > 0, "$name has public command methods" );
			$declared = array();
			foreach ( $methods as [ , $doc, $method ] ) {
				sw_assert( str_contains( $doc, '## OPTIONS' ) || str_contains( $doc, '## EXAMPLES' ), "$name $method has a WP-CLI help docblock" );
				preg_match_all( '/^\s*\*\s*\[?--([a-z_-]+)[=\]]/m', $doc, $options );
				foreach ( $options[1] as $option ) {
					sw_assert( ! in_array( $option, SW_CLI_GLOBALS, true ), "$name $method: --$option is a WP-CLI global parameter; the command would never see it" );
					$declared[ $option ] = true;
				}
			}
			preg_match_all( "/(?:\\\$assoc_args\\[\\s*'([a-z_-]+)'|array_key_exists\\(\\s*'([a-z_-]+)',\\s*\\\$assoc_args|\\(\\s*\\\$assoc_args,\\s*'([a-z_-]+)')/", $source, $reads, PREG_SET_ORDER );
			foreach ( $reads as $read ) {
				$option = $read[1] ?: ( $read[2] ?? '' ) ?: ( $read[3] ?? '' );
				sw_assert( isset( $declared[ $option ] ), "$name reads --$option, which its docblock does not declare" );
			}
			$loop = preg_match_all( "/foreach \\( array\\( ([^)]*) \\) as \\\$key \\)\\s*\\{\\s*if \\( array_key_exists\\( \\\$key, \\\$assoc_args/", $source, $lists );
			for ( $i = 0; $i < $loop; $i++ ) {
				preg_match_all( "/'([a-z_]+)'/", $lists[1][ $i ], $keys );
				foreach ( $keys[1] as $option ) {
					sw_assert( isset( $declared[ $option ] ), "$name reads --$option, which its docblock does not declare" );
				}
			}
		}
	}
);

sw_test(
	'Input: choices, whole numbers, lists and fields are checked with messages naming the option',
	static function (): void {
		sw_assert_same( 'table', Input::choice( array(), 'format', array( 'table', 'json' ), 'table' ) );
		sw_assert_same( 'json', Input::choice( array( 'format' => 'json' ), 'format', array( 'table', 'json' ), 'table' ) );
		$e = sw_assert_throws( InvalidArgumentException::class, static fn () => Input::choice( array( 'format' => 'xml' ), 'format', array( 'table', 'json' ), 'table' ) );
		sw_assert_match( '/--format: "xml".*table, json/', $e->getMessage() );
		sw_assert_throws( InvalidArgumentException::class, static fn () => Input::choice( array( 'format' => true ), 'format', array( 'table' ), 'table' ) );

		sw_assert_same( 50, Input::integer( array(), 'limit', 1, 500, 50 ) );
		sw_assert_same( 500, Input::integer( array( 'limit' => '500' ), 'limit', 1, 500, 50 ) );
		foreach ( array( '0', '501', '-1', '1.5', 'ten', '' ) as $bad ) {
			$e = sw_assert_throws( InvalidArgumentException::class, static fn () => Input::integer( array( 'limit' => $bad ), 'limit', 1, 500, 50 ) );
			sw_assert_match( '/--limit.*1 to 500/', $e->getMessage() );
		}

		sw_assert_same( array( 'a', 'b' ), Input::words( ' a, ,b,' ) );
		sw_assert_same( Rows::SESSION_DEFAULT_COLUMNS, Input::fields( array(), Rows::SESSION_COLUMNS, Rows::SESSION_DEFAULT_COLUMNS ) );
		sw_assert_same( array( 'ip', 'id' ), Input::fields( array( 'fields' => 'ip,id,ip' ), Rows::SESSION_COLUMNS, Rows::SESSION_DEFAULT_COLUMNS ) );
		$e = sw_assert_throws( InvalidArgumentException::class, static fn () => Input::fields( array( 'fields' => 'id,token' ), Rows::SESSION_COLUMNS, array() ) );
		sw_assert_match( '/Unknown field: token\. Available fields: id, user/', $e->getMessage() );
		sw_assert_throws( InvalidArgumentException::class, static fn () => Input::fields( array( 'fields' => ',' ), Rows::SESSION_COLUMNS, array() ) );
	}
);

sw_test(
	'Input::user finds users by ID, login and e-mail',
	static function (): void {
		$user = sw_fixture_user( 'cli_owner', 'editor' );
		sw_assert_same( $user->ID, Input::user( (string) $user->ID )->ID );
		sw_assert_same( $user->ID, Input::user( 'cli_owner' )->ID );
		sw_assert_same( $user->ID, Input::user( 'cli_owner@example.com' )->ID );
		sw_assert_same( $user->ID, Input::user( ' cli_owner ' )->ID );
		sw_assert_same( null, Input::user( 'cli_nobody_here' ) );
		sw_assert_same( null, Input::user( '999999999' ) );
		sw_assert_same( null, Input::user( '' ) );
	}
);

sw_test(
	'Input::time reads Unix times, times ago and dates in the site time zone; refuses anything else',
	static function (): void {
		$now = 1_800_000_000;
		sw_assert_same( 1_700_000_000, Input::time( '1700000000', $now ) );
		sw_assert_same( $now - 3600, Input::time( '1h', $now ) );
		sw_assert_same( $now - 90, Input::time( '90s', $now ) );
		sw_assert_same( $now - 30 * 60, Input::time( '30m', $now ) );
		sw_assert_same( $now - 2 * 86400, Input::time( '2d', $now ) );
		sw_assert_same( $now - 604800, Input::time( '1W', $now ) );

		$zone = get_option( 'timezone_string' );
		update_option( 'timezone_string', 'Europe/Berlin' );
		try {
			sw_assert_same( gmmktime( 13, 0, 0, 1, 31, 2026 ), Input::time( '2026-01-31 14:00', $now ), 'a date is in the site time zone' );
		} finally {
			update_option( 'timezone_string', $zone );
		}
		foreach ( array( 'soon', '1 fortnight ago please', '1y', '' ) as $bad ) {
			$e = sw_assert_throws( InvalidArgumentException::class, static fn () => Input::time( $bad, $now ) );
			sw_assert_match( '/Cannot read the time .*30m, 1h, 2d or 1w/', $e->getMessage() );
		}
	}
);

sw_test(
	'Input: values are JSON when they are JSON, else text; dotted paths are read and set',
	static function (): void {
		sw_assert_same( 30, Input::value( '30' ) );
		sw_assert_same( true, Input::value( 'true' ) );
		sw_assert_same( null, Input::value( 'null' ) );
		sw_assert_same( array( 'editor' ), Input::value( '["editor"]' ) );
		sw_assert_same( array( 'a' => 1 ), Input::value( '{"a":1}' ) );
		sw_assert_same( 'text', Input::value( '"text"' ) );
		sw_assert_same( 'block_new', Input::value( 'block_new' ) );
		sw_assert_same( '[broken', Input::value( '[broken' ) );

		sw_assert_same( array( 'defaults', 'mode' ), Input::path( 'defaults.mode' ) );
		foreach ( array( '', 'a..b', '.a', 'a.', 'a b', 'a.$b' ) as $bad ) {
			sw_assert_throws( InvalidArgumentException::class, static fn () => Input::path( $bad ) );
		}

		$doc = array(
			'retention_days' => 90,
			'notifications'  => array( 'flagged' => false ),
		);
		sw_assert_same( array( true, false ), Input::get_path( $doc, array( 'notifications', 'flagged' ) ) );
		sw_assert_same( array( false, null ), Input::get_path( $doc, array( 'notifications', 'nope' ) ) );
		sw_assert_same( array( false, null ), Input::get_path( $doc, array( 'retention_days', 'x' ) ) );

		$set = Input::set_path( $doc, array( 'notifications', 'flagged' ), true );
		sw_assert_same( true, $set['notifications']['flagged'] );
		sw_assert_same( 90, $set['retention_days'], 'other keys kept' );
		$set = Input::set_path( $doc, array( 'defaults', 'mode' ), 'x' );
		sw_assert_same( array( 'mode' => 'x' ), $set['defaults'], 'a missing group is created' );
		$e = sw_assert_throws( InvalidArgumentException::class, static fn () => Input::set_path( $doc, array( 'retention_days', 'x' ), 1 ) );
		sw_assert_match( '/"retention_days" is a value, not a group/', $e->getMessage() );
	}
);

sw_test(
	'Input::settings_document: one JSON object, or the GET /settings answer; clear errors otherwise',
	static function (): void {
		sw_assert_same( array( 'retention_days' => 5 ), Input::settings_document( '{"retention_days":5}' ) );
		sw_assert_same( array(), Input::settings_document( '{}' ) );
		sw_assert_same( array( 'retention_days' => 5 ), Input::settings_document( '{"settings":{"retention_days":5},"source":"site","scope":"site"}' ) );
		foreach ( array(
			''          => '/empty/',
			'   '       => '/empty/',
			'{"a":'     => '/not valid JSON/',
			'[1,2]'     => '/one JSON object/',
			'"text"'    => '/one JSON object/',
		) as $json => $pattern ) {
			$e = sw_assert_throws( UnexpectedValueException::class, static fn () => Input::settings_document( (string) $json ) );
			sw_assert_match( $pattern, $e->getMessage() );
		}
	}
);

sw_test(
	'settings set: an invalid value is refused field by field and nothing changes; a valid one is saved',
	static function (): void {
		sw_require_engine();
		sw_cli_keep_settings(
			static function (): void {
				$saved = Settings::save( array( 'retention_days' => 45 ) );
				sw_assert( is_array( $saved ), 'a known-good document is saved first' );
				$before = get_option( Settings::OPTION );

				// What `settings set retention_days -5` does.
				$doc    = Input::set_path( Settings::current(), Input::path( 'retention_days' ), Input::value( '-5' ) );
				$result = Settings::save( $doc );
				sw_assert( is_wp_error( $result ), 'refused' );
				$errors = $result->get_error_data()['errors'] ?? array();
				sw_assert( count( $errors ) >= 1, 'field errors are listed' );
				sw_assert_same( 'retention_days', $errors[0]['field'] ?? null, 'the field is named' );
				sw_assert( '' !== (string) ( $errors[0]['message'] ?? '' ), 'with a message' );
				sw_assert_same( $before, get_option( Settings::OPTION ), 'nothing was saved' );

				// What `settings set retention_days 30` does.
				$doc   = Input::set_path( Settings::current(), Input::path( 'retention_days' ), Input::value( '30' ) );
				$saved = Settings::save( $doc );
				sw_assert( is_array( $saved ), 'saved' );
				sw_assert_same( 30, Settings::value( 'retention_days' ) );
				sw_assert_same( (int) $before['version'] + 1, Settings::version(), 'the version moved on' );

				// What `settings get retention_days` shows.
				[ $found, $value ] = Input::get_path( (array) Rest_Settings::describe( 'site' )['settings'], Input::path( 'retention_days' ) );
				sw_assert( $found, 'found' );
				sw_assert_same( 30, $value );
			}
		);
	}
);

sw_test(
	'settings export then import: the same document comes back (engine defaults filled in)',
	static function (): void {
		sw_require_engine();
		sw_cli_keep_settings(
			static function (): void {
				sw_assert( is_array( Settings::save( array( 'retention_days' => 12, 'fail_closed_roles' => array( 'administrator' ) ) ) ), 'saved' );
				$exported = (array) Rest_Settings::describe( 'site' )['settings'];
				$json     = (string) wp_json_encode( $exported, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES );
				sw_assert( array_key_exists( 'notifications', $exported ) || count( $exported ) > 3, 'the export holds the whole document, not only what was set' );

				Settings::reset();
				sw_assert_same( 'defaults', Settings::source(), 'reset in between' );

				$result = Settings::save( Input::settings_document( $json ) );
				sw_assert( is_array( $result ), 'imported' );
				$again = (array) Rest_Settings::describe( 'site' )['settings'];
				unset( $exported['version'], $again['version'] );
				sw_assert_same( wp_json_encode( $exported ), wp_json_encode( $again ), 'round trip' );
				sw_assert_same( 12, Settings::value( 'retention_days' ) );
			}
		);
	}
);

sw_test(
	'sessions: list rows and items of a real session, end by id (bad id fails with a message), end by owner',
	static function (): void {
		$user = sw_fixture_user( 'cli_sessions', 'author' );
		$id1  = sw_cli_session( $user );
		$id2  = sw_cli_session( $user );

		// `sessions list --owner=cli_sessions`.
		$result = Session_Directory::query( array( 'user' => $user->ID, 'per_page' => Session_Directory::MAX_PER_PAGE ) );
		sw_assert_same( 2, $result['total'] );
		$ids = array_column( $result['items'], 'id' );
		sort( $ids );
		$want = array( $id1, $id2 );
		sort( $want );
		sw_assert_same( $want, $ids, 'the ids the command would print with --format=ids' );

		$item = Rows::session_item( $result['items'][0] + array( 'verifier' => 'secret', 'token' => 'secret' ) );
		sw_assert_same( Rows::SESSION_KEYS, array_keys( $item ), 'json items have exactly the contract keys' );
		sw_assert_same( 'cli_sessions', $item['user']['login'] );
		sw_assert_same( array( 'author' ), $item['roles'] );
		sw_assert( ! str_contains( (string) wp_json_encode( $item ), 'secret' ), 'nothing but the listed keys' );

		$row = Rows::session_row( $result['items'][0] );
		sw_assert_same( Rows::SESSION_COLUMNS, array_keys( $row ), 'table rows have every column' );
		sw_assert_same( 'cli_sessions', $row['user'] );
		sw_assert_same( $user->ID, $row['user_id'] );
		sw_assert_match( '/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/', $row['login'], 'times are dates' );
		foreach ( $row as $column => $value ) {
			sw_assert( is_scalar( $value ), "$column is plain text in a table" );
		}
		$picked = Rows::pick( array( $item ), array( 'id', 'ip' ) );
		sw_assert_same( array( array( 'id' => $item['id'], 'ip' => $item['ip'] ) ), $picked, '--fields with json' );

		// `sessions end <id1> <bad>`: one ended, the other named with the reason (then exit 1).
		sw_assert_same( true, Session_Actions::end( $id1, 'admin' ) );
		$bad = Session_Actions::end( $user->ID . '-' . str_repeat( '0', 32 ), 'admin' );
		sw_assert( is_wp_error( $bad ), 'an unknown id is refused' );
		sw_assert_same( 'session_warden_no_session', $bad->get_error_code() );
		sw_assert( '' !== $bad->get_error_message(), 'with a message for the warning' );
		$again = Session_Actions::end( $id1, 'admin' );
		sw_assert( is_wp_error( $again ), 'an id ended already is refused too' );
		$ended = Events::query( array( 'user_id' => $user->ID, 'type' => Events::SESSION_ENDED, 'limit' => 1 ) );
		sw_assert_same( 'by_admin', $ended[0]['reason'] ?? null, 'recorded as ended by an administrator' );

		// The event as `events --format=json` prints it: the session id, never the verifier.
		$event = Rows::event_item( $ended[0] );
		sw_assert_same( Rows::EVENT_KEYS, array_keys( $event ) );
		sw_assert_same( $id1, $event['session'] );
		sw_assert( ! str_contains( (string) wp_json_encode( $event ), $ended[0]['verifier'] ), 'no verifier' );
		sw_assert_same( 'cli_sessions', $event['user']['login'] );
		$row = Rows::event_row( $ended[0] );
		sw_assert_same( Rows::EVENT_COLUMNS, array_keys( $row ) );
		sw_assert_same( 'by_admin', $row['reason'] );

		// `sessions end --owner=cli_sessions`.
		sw_assert_same( 1, Session_Actions::end_others( $user->ID, null, 'admin' ) );
		sw_assert_same( 0, Session_Directory::query( array( 'user' => $user->ID ) )['total'] );

		// `sessions list --flag=nonsense`: Session_Directory names the bad filter (the command exits 2).
		$e = sw_assert_throws( InvalidArgumentException::class, static fn () => Session_Directory::normalise( array( 'flag' => 'nonsense' ) ) );
		sw_assert_match( '/flag/', $e->getMessage() );
	}
);

sw_test(
	'events: --since and --owner select through Events::query; secrets in data are not printed',
	static function (): void {
		$user = sw_fixture_user( 'cli_events', 'subscriber' );
		Events::record( Events::LOGIN_FAILED, $user->ID, array( 'data' => array( 'username' => 'cli_events', 'token' => 'sekrit', 'nested' => array( 'verifier' => 'abc' ) ) ) );
		$now = time();

		$recent = Events::query( array( 'user_id' => $user->ID, 'since' => Input::time( '1h', $now ) ) );
		sw_assert( count( $recent ) >= 1, 'an event of the last hour is found' );
		sw_assert_same( Events::LOGIN_FAILED, $recent[0]['type'] );
		$future = Events::query( array( 'user_id' => $user->ID, 'since' => Input::time( (string) ( $now + 3600 ), $now ) ) );
		sw_assert_same( array(), $future, 'nothing after now' );

		$item = Rows::event_item( $recent[0] );
		sw_assert_same( array( 'username' => 'cli_events', 'nested' => array() ), $item['data'], 'token and verifier removed' );
		sw_assert( ! str_contains( Rows::event_row( $recent[0] )['data'], 'sekrit' ), 'not in the table either' );
		sw_assert_same( null, $item['session'], 'no session for an event without one' );
	}
);

sw_test(
	'engine status: the panel figures, with the last error, as a document and as table rows',
	static function (): void {
		sw_require_engine();
		$doc = Rows::engine_status( Engine_Panel::status(), Engine::last_error() );
		sw_assert_same( 'daemon', $doc['mode'], 'the test bed runs a daemon' );
		sw_assert( is_string( $doc['version'] ) && '' !== $doc['version'], 'version' );
		sw_assert_match( '/^[0-9a-f]{64}$/', (string) $doc['sha256'] );
		sw_assert_same( true, $doc['sha256_matches'], 'the artifact matches SHA256SUMS' );
		sw_assert( is_float( $doc['round_trip_ms']['socket'] ?? null ), 'a measured round trip' );

		$rows  = Rows::engine_rows( $doc );
		$by    = array_column( $rows, 'value', 'field' );
		sw_assert_same( 'daemon', $by['mode'] );
		sw_assert_same( 'yes', $by['sha256_matches'] );
		sw_assert_match( '/^\d+\.\d{3}$/', $by['round_trip_ms.socket'] );
		foreach ( $rows as $row ) {
			sw_assert_same( array( 'field', 'value' ), array_keys( $row ) );
			sw_assert( is_string( $row['value'] ), 'plain text' );
		}

		$with_error = Rows::engine_rows(
			Rows::engine_status(
				array( 'mode' => 'unavailable' ),
				array(
					'time'    => 1_700_000_000,
					'op'      => 'admit',
					'code'    => 'daemon_unreachable',
					'message' => 'no answer',
				)
			)
		);
		$by = array_column( $with_error, 'value', 'field' );
		sw_assert_match( '/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d, op admit: daemon_unreachable: no answer$/', $by['last_error'] );
		sw_assert_same( '', $by['version'] );
	}
);
