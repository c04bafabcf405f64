<?php
/**
 * `wp session-warden sessions list|end`.
 *
 * @package SessionWarden
 */

namespace SessionWarden\Cli;

use SessionWarden\Cli;
use SessionWarden\Session_Actions;
use SessionWarden\Session_Directory;
use SessionWarden\Settings;

/**
 * Lists and ends the live login sessions of every user.
 *
 * A session's user is chosen with --owner, not --user: WP-CLI itself takes --user (the user the command
 * runs as) before a command sees its arguments.
 *
 * Exit codes: 0 success; 1 failure or partial failure (some sessions could not be ended, an unknown
 * user); 2 bad usage (unknown format or field, conflicting arguments).
 *
 * ## EXAMPLES
 *
 *     # Every live session, newest activity first.
 *     $ wp session-warden sessions list
 *
 *     # One user's sessions as JSON.
 *     $ wp session-warden sessions list --owner=editor@example.com --format=json
 *
 *     # End two sessions.
 *     $ wp session-warden sessions end 7-0c8e3f5b4a6d7e8f9a0b1c2d3e4f5a6b 7-1d9f4a6c5b7e8f9a0b1c2d3e4f5a6b7c
 *
 *     # Log everyone out.
 *     $ wp session-warden sessions end --all --yes
 */
final class Sessions_Command extends \WP_CLI_Command {

	/** Formats of `list`. */
	private const FORMATS = array( 'table', 'json', 'csv', 'yaml', 'count', 'ids' );

	/**
	 * Lists live sessions.
	 *
	 * ## OPTIONS
	 *
	 * [--owner=<user>]
	 * : Only this user's sessions: user ID, login or e-mail.
	 *
	 * [--role=<role>]
	 * : Only users with this role on this site.
	 *
	 * [--country=<country>]
	 * : Only sessions from this country (ISO code, e.g. DE).
	 *
	 * [--device_class=<class>]
	 * : Only this kind of device: desktop, mobile, tablet, bot or other.
	 *
	 * [--flag=<flag>]
	 * : Only sessions with this flag: ip_shift or country_anomaly.
	 *
	 * [--search=<text>]
	 * : Part of an IP address, user name, e-mail or display name.
	 *
	 * [--orderby=<field>]
	 * : login or last_activity (default).
	 *
	 * [--order=<order>]
	 * : asc or desc (default).
	 *
	 * [--page=<page>]
	 * : Only this page (1-based) of --per_page sessions. Without it, every session is listed.
	 *
	 * [--per_page=<n>]
	 * : Sessions per page with --page, 1 to 200 (default 20).
	 *
	 * [--fields=<fields>]
	 * : Comma-separated fields to show (see AVAILABLE FIELDS).
	 *
	 * [--format=<format>]
	 * : table (default), json, csv, yaml, count (the number of matching sessions) or ids.
	 *
	 * ## AVAILABLE FIELDS
	 *
	 * table and csv: id, user, user_id, display_name, roles, ip, country, device, browser, os,
	 * device_class, login, expiration, last_activity, idle, flags, current. Shown by default: id, user,
	 * ip, country, device, login, last_activity, flags. Times are dates in the site's time zone.
	 *
	 * json and yaml print the session items of the REST API (every field by default): id, user, roles,
	 * login, expiration, last_activity, idle, ip, country, device, flags, current; times are Unix times.
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp session-warden sessions list --flag=ip_shift --format=csv
	 *     $ wp session-warden sessions list --owner=admin --format=count
	 *
	 * @subcommand list
	 *
	 * @param string[] $args       Positional arguments (none).
	 * @param array    $assoc_args Options.
	 */
	public function list_( array $args, array $assoc_args ): void {
		try {
			$format     = Input::choice( $assoc_args, 'format', self::FORMATS, 'table' );
			$structured = in_array( $format, array( 'json', 'yaml' ), true );
			$fields     = $structured
				? Input::fields( $assoc_args, Rows::SESSION_KEYS, Rows::SESSION_KEYS )
				: Input::fields( $assoc_args, Rows::SESSION_COLUMNS, Rows::SESSION_DEFAULT_COLUMNS );
			$query      = self::query_args( $assoc_args );
			Session_Directory::normalise( $query ); // Checks every filter now, also those fetch() replaces.
		} catch ( \InvalidArgumentException $e ) {
			Cli::usage_error( $e->getMessage() );
		}

		try {
			[ $items, $total ] = self::fetch( $query, array_key_exists( 'page', $assoc_args ) );
		} catch ( \Throwable $e ) {
			Cli::fail( $e->getMessage() );
		}

		if ( 'count' === $format ) {
			\WP_CLI::line( (string) $total );
			return;
		}
		if ( 'ids' === $format ) {
			\WP_CLI::line( implode( ' ', array_map( static fn ( $item ) => (string) ( $item['id'] ?? '' ), $items ) ) );
			return;
		}
		$rows = $structured
			? Rows::pick( array_map( array( Rows::class, 'session_item' ), $items ), $fields )
			: array_map( array( Rows::class, 'session_row' ), $items );
		\WP_CLI\Utils\format_items( $format, $rows, $fields );
	}

	/**
	 * Ends sessions: the ones named, every session of one user, or everyone's (site-wide logout).
	 *
	 * A session ended here is recorded as ended by an administrator (event session_ended, reason
	 * by_admin). `--all` does not touch each session: it moves the logout epoch, so every session that
	 * began before now ends on its next request (the same as "Log everyone out" on the Sessions screen).
	 * With WP-CLI's global --user=<admin>, the events name that administrator as the one who ended them.
	 *
	 * ## OPTIONS
	 *
	 * [<id>...]
	 * : Session ids, as listed by `wp session-warden sessions list`.
	 *
	 * [--owner=<user>]
	 * : End every session of this user (user ID, login or e-mail).
	 *
	 * [--all]
	 * : End every session of every user.
	 *
	 * [--yes]
	 * : Do not ask for confirmation (--all asks).
	 *
	 * ## EXIT CODES
	 *
	 * 0 when every named session was ended; 1 when one or more could not be (each is named in a warning)
	 * or the user does not exist; 2 when no ids, --owner or --all, or more than one of them, were given.
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp session-warden sessions end 7-0c8e3f5b4a6d7e8f9a0b1c2d3e4f5a6b
	 *     $ wp session-warden sessions end --owner=editor
	 *     $ wp session-warden sessions list --flag=country_anomaly --format=ids | xargs wp session-warden sessions end
	 *     $ wp session-warden sessions end --all --yes
	 *
	 * @param string[] $args       Session ids.
	 * @param array    $assoc_args Options.
	 */
	public function end( array $args, array $assoc_args ): void {
		$all   = (bool) \WP_CLI\Utils\get_flag_value( $assoc_args, 'all', false );
		$user  = array_key_exists( 'owner', $assoc_args );
		$given = (int) ( count( $args ) > 0 ) + (int) $user + (int) $all;
		if ( 1 !== $given ) {
			Cli::usage_error(
				0 === $given
					? __( 'Name the sessions to end: session ids, --owner=<user> or --all. (--user is WP-CLI\'s own option: the user the command runs as.)', 'session-warden' )
					: __( 'Give either session ids, --owner=<user> or --all, not more than one of them.', 'session-warden' )
			);
		}

		if ( $all ) {
			self::end_all( $assoc_args );
			return;
		}
		if ( $user ) {
			self::end_user( (string) $assoc_args['owner'] );
			return;
		}
		self::end_ids( array_values( array_unique( array_map( 'strval', $args ) ) ) );
	}

	/**
	 * Session_Directory::query() arguments from the options, as typed: query() checks every filter and
	 * throws \InvalidArgumentException naming a bad one (then exit 2).
	 *
	 * @param array $assoc_args Options.
	 */
	private static function query_args( array $assoc_args ): array {
		$query = array();
		foreach ( array( 'role', 'country', 'device_class', 'flag', 'search', 'orderby', 'order', 'page', 'per_page' ) as $key ) {
			if ( array_key_exists( $key, $assoc_args ) ) {
				$query[ $key ] = is_string( $assoc_args[ $key ] ) ? $assoc_args[ $key ] : '';
			}
		}
		if ( array_key_exists( 'owner', $assoc_args ) ) {
			$user = Input::user( (string) $assoc_args['owner'] );
			if ( null === $user ) {
				// Not a usage error: the argument is well-formed, the user does not exist.
				Cli::fail( self::no_user( (string) $assoc_args['owner'] ) );
			}
			$query['user'] = (int) $user->ID;
		}
		return $query;
	}

	/**
	 * One page, or every page (--page absent): the items and the total that matched.
	 *
	 * @param array $query    Session_Directory::query() arguments.
	 * @param bool  $one_page Whether --page was given.
	 * @return array{0: array[], 1: int}
	 */
	private static function fetch( array $query, bool $one_page ): array {
		if ( $one_page ) {
			$result = Session_Directory::query( $query );
			return array( $result['items'], (int) $result['total'] );
		}
		$query['per_page'] = Session_Directory::MAX_PER_PAGE;
		$items             = array();
		$query['page']     = 1;
		do {
			$result = Session_Directory::query( $query );
			$items  = array_merge( $items, $result['items'] );
			$total  = (int) $result['total'];
			++$query['page'];
			// Sessions can end between two pages; an empty page also stops the loop.
		} while ( $result['items'] && count( $items ) < $total );
		return array( $items, max( $total, count( $items ) ) );
	}

	/**
	 * `end <id>...`: each through Session_Actions::end(); a warning per failure, exit 1 if any failed.
	 *
	 * @param string[] $ids Session ids.
	 */
	private static function end_ids( array $ids ): void {
		$progress = count( $ids ) > 1
			? \WP_CLI\Utils\make_progress_bar( __( 'Ending sessions', 'session-warden' ), count( $ids ) )
			: null;
		$ended    = 0;
		$failures = array();
		foreach ( $ids as $id ) {
			try {
				$result = Session_Actions::end( $id, 'admin' );
			} catch ( \Throwable $e ) {
				$result = new \WP_Error( 'session_warden_cli', $e->getMessage() );
			}
			if ( true === $result ) {
				++$ended;
			} else {
				$failures[ $id ] = is_wp_error( $result ) ? $result->get_error_message() : __( 'The session could not be ended.', 'session-warden' );
			}
			if ( $progress ) {
				$progress->tick();
			}
		}
		if ( $progress ) {
			$progress->finish();
		}

		foreach ( $failures as $id => $message ) {
			/* translators: 1: session id, 2: reason. */
			\WP_CLI::warning( sprintf( __( 'Session %1$s: %2$s', 'session-warden' ), $id, $message ) );
		}
		if ( $failures ) {
			Cli::fail(
				/* translators: 1: sessions ended, 2: sessions named. */
				sprintf( _n( 'Ended %1$d of %2$d session.', 'Ended %1$d of %2$d sessions.', count( $ids ), 'session-warden' ), $ended, count( $ids ) )
			);
		}
		/* translators: %d: number of sessions. */
		\WP_CLI::success( sprintf( _n( 'Ended %d session.', 'Ended %d sessions.', $ended, 'session-warden' ), $ended ) );
	}

	/**
	 * `end --owner=<user>`: every session of that user.
	 *
	 * @param string $who User ID, login or e-mail.
	 */
	private static function end_user( string $who ): void {
		$user = Input::user( $who );
		if ( null === $user ) {
			Cli::fail( self::no_user( $who ) );
		}
		try {
			$ended = Session_Actions::end_others( (int) $user->ID, null, 'admin' );
		} catch ( \Throwable $e ) {
			Cli::fail( $e->getMessage() );
		}
		\WP_CLI::success(
			/* translators: 1: number of sessions, 2: user login. */
			sprintf( _n( 'Ended %1$d session of %2$s.', 'Ended %1$d sessions of %2$s.', $ended, 'session-warden' ), $ended, $user->user_login )
		);
	}

	/**
	 * `end --all`: the site-wide logout, after confirmation.
	 *
	 * @param array $assoc_args Options (--yes).
	 */
	private static function end_all( array $assoc_args ): void {
		if ( ! \WP_CLI\Utils\get_flag_value( $assoc_args, 'yes', false ) ) {
			// Not WP_CLI::confirm(): that exits 0 on "no", and a script must not read a refusal as success.
			fwrite( STDOUT, __( 'End every session of every user (everyone is logged out)? [y/n] ', 'session-warden' ) ); // phpcs:ignore WordPress.WP.AlternativeFunctions
			$answer = fgets( STDIN ); // phpcs:ignore WordPress.WP.AlternativeFunctions
			if ( 'y' !== strtolower( trim( (string) $answer ) ) ) {
				Cli::fail( __( 'Cancelled: nobody was logged out.', 'session-warden' ) );
			}
		}
		$epoch = Settings::end_all_sessions();
		\WP_CLI::success(
			/* translators: %s: date and time. */
			sprintf( __( 'Every session that began before %s ends on its next request.', 'session-warden' ), Rows::time( $epoch ) )
		);
	}

	/**
	 * @param string $who Argument.
	 */
	private static function no_user( string $who ): string {
		/* translators: %s: the user argument. */
		return sprintf( __( 'There is no user %s (give a user ID, login or e-mail).', 'session-warden' ), $who );
	}
}
