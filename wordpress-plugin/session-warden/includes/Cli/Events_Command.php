<?php
/**
 * `wp session-warden events`.
 *
 * @package SessionWarden
 */

namespace SessionWarden\Cli;

use SessionWarden\Cli;
use SessionWarden\Events;

/**
 * The event log (Events::query()), newest first. WP-CLI reads the command's help from __invoke().
 */
final class Events_Command extends \WP_CLI_Command {

	private const FORMATS = array( 'table', 'json', 'csv', 'yaml', 'count', 'ids' );

	/**
	 * Lists the event log, newest first: sessions begun and ended, blocked and failed logins, flags, engine
	 * failures.
	 *
	 * ## OPTIONS
	 *
	 * [--since=<time>]
	 * : Only events at or after this time: a Unix time, a time ago (30m, 1h, 2d, 1w) or a date
	 * (2026-01-31, 2026-01-31 14:00; the site's time zone).
	 *
	 * [--until=<time>]
	 * : Only events at or before this time (same forms as --since).
	 *
	 * [--owner=<user>]
	 * : Only this user's events: user ID, login or e-mail. (--user is WP-CLI's own option: the user the
	 * command runs as.)
	 *
	 * [--type=<type>]
	 * : Only these types, comma-separated: session_created, session_ended, login_blocked, login_failed,
	 * flag_raised, engine_failed.
	 *
	 * [--limit=<n>]
	 * : At most this many events, 1 to 500 (default 50).
	 *
	 * [--fields=<fields>]
	 * : Comma-separated fields to show (see AVAILABLE FIELDS).
	 *
	 * [--format=<format>]
	 * : table (default), json, csv, yaml, count (all matching events, not only --limit) or ids.
	 *
	 * ## AVAILABLE FIELDS
	 *
	 * table and csv: id, time, site_id, user, user_id, type, reason, session, ip, country, device, data.
	 * Shown by default: id, time, user, type, reason, ip, country, device. Times are dates in the site's
	 * time zone.
	 *
	 * json and yaml (every field by default): id, time (Unix time), site_id, user ({id, login,
	 * display_name}), type, reason, session (the session id, as `sessions list` shows it), ip, country,
	 * device, data.
	 *
	 * ## EXIT CODES
	 *
	 * 0 success; 1 unknown user; 2 bad usage (unreadable time, --since after --until, unknown format or
	 * field, --limit out of range).
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp session-warden events --since=1h
	 *     $ wp session-warden events --type=login_blocked,login_failed --since=2026-01-01 --format=csv
	 *     $ wp session-warden events --owner=editor --since=7d --format=count
	 *
	 * @param string[] $args       Positional arguments (none).
	 * @param array    $assoc_args Options.
	 */
	public function __invoke( array $args, array $assoc_args ): void {
		try {
			$format     = Input::choice( $assoc_args, 'format', self::FORMATS, 'table' );
			$structured = in_array( $format, array( 'json', 'yaml' ), true );
			$fields     = $structured
				? Input::fields( $assoc_args, Rows::EVENT_KEYS, Rows::EVENT_KEYS )
				: Input::fields( $assoc_args, Rows::EVENT_COLUMNS, Rows::EVENT_DEFAULT_COLUMNS );
			$filters    = self::filters( $assoc_args, time() );
		} catch ( \InvalidArgumentException $e ) {
			Cli::usage_error( $e->getMessage() );
		}

		if ( 'count' === $format ) {
			\WP_CLI::line( (string) Events::count( $filters ) );
			return;
		}
		$events = Events::query( $filters );
		if ( 'ids' === $format ) {
			\WP_CLI::line( implode( ' ', array_map( static fn ( $e ) => (string) $e['id'], $events ) ) );
			return;
		}
		$rows = $structured
			? Rows::pick( array_map( array( Rows::class, 'event_item' ), $events ), $fields )
			: array_map( array( Rows::class, 'event_row' ), $events );
		\WP_CLI\Utils\format_items( $format, $rows, $fields );
	}

	/**
	 * Events::query() filters from the options.
	 *
	 * @param array $assoc_args Options.
	 * @param int   $now        Current Unix time.
	 * @throws \InvalidArgumentException For a bad value.
	 */
	private static function filters( array $assoc_args, int $now ): array {
		$filters = array( 'limit' => Input::integer( $assoc_args, 'limit', 1, Events::MAX_LIMIT, 50 ) );
		foreach ( array( 'since', 'until' ) as $key ) {
			if ( array_key_exists( $key, $assoc_args ) ) {
				$filters[ $key ] = Input::time( (string) $assoc_args[ $key ], $now );
			}
		}
		if ( isset( $filters['since'], $filters['until'] ) && $filters['since'] > $filters['until'] ) {
			throw new \InvalidArgumentException( __( '--since is after --until: no event can match.', 'session-warden' ) );
		}
		if ( array_key_exists( 'type', $assoc_args ) ) {
			// Extensions may record types of their own, so any well-formed key is accepted.
			$types = Input::words( $assoc_args['type'] );
			$bad   = array_filter( $types, static fn ( $t ) => ! preg_match( '/^[a-z0-9_-]{1,32}$/', $t ) );
			if ( ! $types || $bad ) {
				throw new \InvalidArgumentException(
					/* translators: 1: the value given, 2: the plugin's event types. */
					sprintf( __( 'Invalid --type: %1$s. Types are keys such as: %2$s.', 'session-warden' ), implode( ', ', $bad ), implode( ', ', Events::TYPES ) )
				);
			}
			$filters['type'] = $types;
		}
		if ( array_key_exists( 'owner', $assoc_args ) ) {
			$user = Input::user( (string) $assoc_args['owner'] );
			if ( null === $user ) {
				/* translators: %s: the user argument. */
				Cli::fail( sprintf( __( 'There is no user %s (give a user ID, login or e-mail).', 'session-warden' ), (string) $assoc_args['owner'] ) );
			}
			$filters['user_id'] = (int) $user->ID;
		}
		return $filters;
	}
}
