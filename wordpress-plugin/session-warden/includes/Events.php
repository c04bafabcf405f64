<?php
/**
 * The event log: one row per thing the plugin did or refused (a session began or ended, a login was
 * blocked, a flag was raised, the engine could not be asked).
 *
 * One table for the whole installation, `{$wpdb->base_prefix}session_warden_events`, because sessions
 * are network-wide on multisite; `site_id` says on which site an event happened. Times are Unix seconds.
 *
 * Recording must never break what it records: record() swallows every failure (a missing table, a
 * database error, a listener that throws) and reports it once per request to the PHP error log.
 *
 * @package SessionWarden
 */

namespace SessionWarden;

final class Events {

	/** Schema version of the table; bump it with every change to schema() so maybe_upgrade() reruns dbDelta. */
	public const DB_VERSION = 1;

	/** Site option holding the installed schema version. */
	public const VERSION_OPTION = 'session_warden_db_version';

	public const SESSION_CREATED = 'session_created';
	public const SESSION_ENDED   = 'session_ended';
	public const LOGIN_BLOCKED   = 'login_blocked';
	public const LOGIN_FAILED    = 'login_failed';
	public const FLAG_RAISED     = 'flag_raised';
	public const ENGINE_FAILED   = 'engine_failed';

	/** The event types the plugin itself records. */
	public const TYPES = array(
		self::SESSION_CREATED,
		self::SESSION_ENDED,
		self::LOGIN_BLOCKED,
		self::LOGIN_FAILED,
		self::FLAG_RAISED,
		self::ENGINE_FAILED,
	);

	/** Rows deleted per prune statement: small enough that one DELETE never holds its locks for long. */
	public const PRUNE_BATCH = 5000;

	/** Most rows query() returns at once. */
	public const MAX_LIMIT = 500;

	/** Largest JSON document kept in `data`, in bytes; a bigger one is replaced by a note saying so. */
	public const MAX_DATA_BYTES = 65535;

	/** Column widths, in characters. */
	private const WIDTHS = array(
		'type'     => 32,
		'reason'   => 32,
		'verifier' => 64,
		'ip'       => 45,
		'device'   => 191,
	);

	/** Whether this request already wrote a recording failure to the error log. */
	private static bool $logged = false;

	/** The table's full name. */
	public static function table(): string {
		global $wpdb;
		return $wpdb->base_prefix . 'session_warden_events';
	}

	/**
	 * Creates or updates the table (dbDelta) and stores the schema version. Safe to run any number of times.
	 */
	public static function install(): void {
		global $wpdb;
		require_once ABSPATH . 'wp-admin/includes/upgrade.php';
		dbDelta( self::schema( self::table(), $wpdb->get_charset_collate() ) );

		if ( is_multisite() ) {
			update_site_option( self::VERSION_OPTION, self::DB_VERSION );
		} else {
			// Autoloaded, so the check in maybe_upgrade() costs no query on a single site.
			update_option( self::VERSION_OPTION, self::DB_VERSION, true );
		}
	}

	/**
	 * Runs install() when the stored schema version is missing or older. Called on every load, so it only
	 * compares one option.
	 */
	public static function maybe_upgrade(): void {
		if ( (int) get_site_option( self::VERSION_OPTION, 0 ) < self::DB_VERSION ) {
			self::install();
		}
	}

	/**
	 * The CREATE TABLE statement in the form dbDelta() parses (two spaces after PRIMARY KEY, one column
	 * per line, named keys).
	 *
	 * @param string $table           Table name.
	 * @param string $charset_collate Charset clause.
	 */
	private static function schema( string $table, string $charset_collate ): string {
		return "CREATE TABLE {$table} (
  id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  created_at bigint(20) unsigned NOT NULL DEFAULT 0,
  site_id bigint(20) unsigned NOT NULL DEFAULT 0,
  user_id bigint(20) unsigned NOT NULL DEFAULT 0,
  type varchar(32) NOT NULL DEFAULT '',
  reason varchar(32) NOT NULL DEFAULT '',
  verifier varchar(64) NOT NULL DEFAULT '',
  ip varchar(45) NOT NULL DEFAULT '',
  country char(2) NOT NULL DEFAULT '',
  device varchar(191) NOT NULL DEFAULT '',
  data longtext NULL,
  PRIMARY KEY  (id),
  KEY created_at (created_at),
  KEY user_created (user_id,created_at),
  KEY type_created (type,created_at)
) {$charset_collate};";
	}

	/**
	 * Stores one event and announces it. Never throws.
	 *
	 * Every field is cleaned and cut to its column: `type` and `reason` become keys (lower-case letters,
	 * digits, `_` and `-`), `verifier` keeps hex digits, `ip` keeps the characters of an address, `country`
	 * is kept only as two letters, `device` is plain text. `data` is stored as JSON.
	 *
	 * @param string $type    One of the TYPES (other keys are accepted for extensions).
	 * @param int    $user_id User the event is about (0 when none, e.g. a failed login for an unknown name).
	 * @param array  $fields  Optional reason, verifier, ip, country, device (strings) and data (array).
	 */
	public static function record( string $type, int $user_id, array $fields = array() ): void {
		global $wpdb;
		try {
			$row = self::clean( $type, $user_id, $fields );
			if ( '' === $row['type'] ) {
				self::log_once( 'an event without a type was not recorded' );
				return;
			}

			$suppress = $wpdb->suppress_errors( true );
			try {
				$stored = self::insert( $row );
			} finally {
				$wpdb->suppress_errors( $suppress );
			}
			if ( false === $stored ) {
				self::log_once( sprintf( 'a %s event could not be stored: %s', $row['type'], $wpdb->last_error ? $wpdb->last_error : 'the database refused the row' ) );
				$row['id'] = 0;
			} else {
				$row['id'] = (int) $wpdb->insert_id;
			}
			$event = self::to_event( $row );
		} catch ( \Throwable $e ) {
			self::log_once( 'an event could not be recorded: ' . $e->getMessage() );
			return;
		}

		try {
			/**
			 * Fires after Session Warden recorded an event.
			 *
			 * @param string $type  Event type (see Events::TYPES).
			 * @param array  $event The event as Events::query() returns it; `id` is 0 when it could not be stored.
			 */
			do_action( 'session_warden_event', $event['type'], $event );
			/**
			 * Fires after Session Warden recorded an event of this type, e.g. `session_warden_event_flag_raised`.
			 *
			 * @param array $event The event as Events::query() returns it; `id` is 0 when it could not be stored.
			 */
			do_action( "session_warden_event_{$event['type']}", $event );
		} catch ( \Throwable $e ) {
			self::log_once( sprintf( 'a listener of the %s event failed: %s', $event['type'], $e->getMessage() ) );
		}
	}

	/**
	 * Inserts a row from clean().
	 *
	 * wpdb::insert() first asks the server for the table's column charsets (`SHOW FULL COLUMNS`, once per
	 * request and table), which cost more than the insert itself on a sign-in (~0.28 ms of ~0.37 ms). A row
	 * that is plain ASCII cannot hold text its columns' charset would refuse, and clean() has already cut
	 * every field to its column, so that row goes in as one statement, its values escaped by hand. A row
	 * with other characters takes wpdb::insert(), which strips what an older utf8 (3-byte) table cannot
	 * store instead of refusing it.
	 *
	 * @param array $row Row from clean().
	 * @return int|false Rows inserted, or false.
	 */
	private static function insert( array $row ) {
		global $wpdb;
		$formats = array( '%d', '%d', '%d', '%s', '%s', '%s', '%s', '%s', '%s', '%s' );
		$text    = '';
		foreach ( $row as $value ) {
			$text .= (string) $value;
		}
		if ( preg_match( '/[^\x00-\x7F]/', $text ) ) {
			return $wpdb->insert( self::table(), $row, $formats ); // A null data becomes SQL NULL.
		}
		// Escaped by hand, as Session_Index does: wpdb::prepare() with ten placeholders costs more PHP than
		// the insert's own round trip, and every sign-in writes an event.
		$cells = array();
		foreach ( array_values( $row ) as $i => $value ) {
			if ( null === $value ) {
				$cells[] = 'NULL';
			} elseif ( '%d' === $formats[ $i ] ) {
				$cells[] = (string) (int) $value;
			} else {
				$cells[] = "'" . esc_sql( (string) $value ) . "'";
			}
		}
		$table = self::table();
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared, WordPress.DB.PreparedSQL.NotPrepared -- the table and column names are ours; every value is cast or escaped above.
		return $wpdb->query( "INSERT INTO {$table} (" . implode( ', ', array_keys( $row ) ) . ') VALUES (' . implode( ', ', $cells ) . ')' );
	}

	/**
	 * The row to insert: every field cleaned and cut to its column.
	 *
	 * @param string $type    Event type.
	 * @param int    $user_id User ID.
	 * @param array  $fields  Optional fields.
	 */
	private static function clean( string $type, int $user_id, array $fields ): array {
		$text = static fn ( string $key ): string => is_scalar( $fields[ $key ] ?? null ) ? (string) $fields[ $key ] : '';

		$country = strtoupper( trim( $text( 'country' ) ) );
		$data    = null;
		if ( isset( $fields['data'] ) && ( is_array( $fields['data'] ) || is_object( $fields['data'] ) ) ) {
			$json = wp_json_encode( $fields['data'], JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE );
			if ( is_string( $json ) && strlen( $json ) > self::MAX_DATA_BYTES ) {
				$json = wp_json_encode(
					array(
						'truncated' => true,
						'bytes'     => strlen( $json ),
					)
				);
			}
			$data = is_string( $json ) ? $json : null;
		}

		return array(
			'created_at' => time(),
			'site_id'    => max( 0, (int) get_current_blog_id() ),
			'user_id'    => max( 0, $user_id ),
			'type'       => self::cut( sanitize_key( $type ), 'type' ),
			'reason'     => self::cut( sanitize_key( $text( 'reason' ) ), 'reason' ),
			'verifier'   => self::cut( (string) preg_replace( '/[^0-9a-f]/', '', strtolower( $text( 'verifier' ) ) ), 'verifier' ),
			'ip'         => self::cut( (string) preg_replace( '/[^0-9A-Fa-f.:]/', '', $text( 'ip' ) ), 'ip' ),
			'country'    => preg_match( '/^[A-Z]{2}$/', $country ) ? $country : '',
			'device'     => self::cut( sanitize_text_field( $text( 'device' ) ), 'device' ),
			'data'       => $data,
		);
	}

	/**
	 * Cuts a string to its column's width in characters (utf8mb4 columns count characters, not bytes).
	 *
	 * @param string $value  Clean value.
	 * @param string $column Column name.
	 */
	private static function cut( string $value, string $column ): string {
		$width = self::WIDTHS[ $column ];
		return function_exists( 'mb_substr' ) ? mb_substr( $value, 0, $width, 'UTF-8' ) : substr( $value, 0, $width );
	}

	/**
	 * One error_log line per request, so a broken table cannot flood the log with one line per login.
	 *
	 * @param string $message What failed.
	 */
	private static function log_once( string $message ): void {
		if ( self::$logged ) {
			return;
		}
		self::$logged = true;
		error_log( 'Session Warden: ' . $message ); // phpcs:ignore WordPress.PHP.DevelopmentFunctions.error_log_error_log
	}

	/**
	 * Records that a session ended, with what its record says about the client (the plugin's resolved IP
	 * when it has one, else core's).
	 *
	 * @param int    $user_id  User ID.
	 * @param string $verifier Session verifier.
	 * @param array  $record   The session record as it was.
	 * @param string $reason   Why (an engine reason, or by_user, by_admin, password_change).
	 * @param array  $data     Extra details for the `data` column.
	 */
	public static function session_ended( int $user_id, string $verifier, array $record, string $reason, array $data = array() ): void {
		$ours   = Session_Record::ours( $record );
		$fields = array(
			'reason'   => $reason,
			'verifier' => $verifier,
			'ip'       => (string) ( $ours['ip'] ?? ( $record['ip'] ?? '' ) ),
			'country'  => (string) ( $ours['country'] ?? '' ),
			'device'   => (string) ( $ours['device']['label'] ?? '' ),
		);
		if ( $data ) {
			$fields['data'] = $data;
		}
		self::record( self::SESSION_ENDED, $user_id, $fields );
	}

	/**
	 * Deletes events older than the retention period, a batch at a time.
	 *
	 * @param int $retention_days Days to keep; below 1 nothing is deleted (a bad setting must not empty the log).
	 * @return int Rows deleted.
	 */
	public static function prune( int $retention_days ): int {
		global $wpdb;
		if ( $retention_days < 1 ) {
			return 0;
		}
		$before = time() - $retention_days * DAY_IN_SECONDS;
		$table  = self::table();
		$total  = 0;
		do {
			// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- the table name is ours.
			$deleted = $wpdb->query( $wpdb->prepare( "DELETE FROM {$table} WHERE created_at < %d LIMIT %d", $before, self::PRUNE_BATCH ) );
			if ( false === $deleted ) {
				break;
			}
			$total += (int) $deleted;
		} while ( (int) $deleted >= self::PRUNE_BATCH );
		return $total;
	}

	/**
	 * Events matching the filters, newest first.
	 *
	 * @param array $args {
	 *     Optional filters; absent or null means "any".
	 *
	 *     @type int             $user_id Only this user's events (0: events without a user).
	 *     @type string|string[] $type    Only these types.
	 *     @type int             $since   Only events at or after this Unix time.
	 *     @type int             $until   Only events at or before this Unix time.
	 *     @type int             $site_id Only events on this site.
	 *     @type int             $limit   Rows to return, 1 to 500 (default 50).
	 *     @type int             $offset  Rows to skip (default 0).
	 * }
	 * @return array[] Each event: id, created_at, site_id, user_id (ints); type, reason, verifier, ip, country,
	 *                 device (strings); data (decoded array, or null).
	 */
	public static function query( array $args = array() ): array {
		global $wpdb;
		$limit  = isset( $args['limit'] ) ? max( 1, min( self::MAX_LIMIT, (int) $args['limit'] ) ) : 50;
		$offset = isset( $args['offset'] ) ? max( 0, (int) $args['offset'] ) : 0;
		[ $where, $values ] = self::where( $args );
		$values[] = $limit;
		$values[] = $offset;
		$table    = self::table();
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- the table name is ours; $where holds only placeholders.
		$rows = $wpdb->get_results( $wpdb->prepare( "SELECT * FROM {$table} WHERE {$where} ORDER BY created_at DESC, id DESC LIMIT %d OFFSET %d", $values ), ARRAY_A );
		return array_map( array( self::class, 'to_event' ), is_array( $rows ) ? $rows : array() );
	}

	/**
	 * How many events match the filters of query() (limit and offset are ignored).
	 *
	 * @param array $args Filters, as for query().
	 */
	public static function count( array $args = array() ): int {
		global $wpdb;
		[ $where, $values ] = self::where( $args );
		$table = self::table();
		$sql   = "SELECT COUNT(*) FROM {$table} WHERE {$where}";
		// phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared -- prepared when there are values; otherwise constant.
		return (int) $wpdb->get_var( $values ? $wpdb->prepare( $sql, $values ) : $sql );
	}

	/**
	 * The WHERE clause (placeholders only) and its values for query() and count().
	 *
	 * @param array $args Filters.
	 * @return array{0: string, 1: array}
	 */
	private static function where( array $args ): array {
		$clauses = array( '1=1' );
		$values  = array();
		foreach ( array( 'user_id', 'site_id' ) as $column ) {
			if ( isset( $args[ $column ] ) ) {
				$clauses[] = "{$column} = %d";
				$values[]  = max( 0, (int) $args[ $column ] );
			}
		}
		if ( isset( $args['since'] ) ) {
			$clauses[] = 'created_at >= %d';
			$values[]  = max( 0, (int) $args['since'] );
		}
		if ( isset( $args['until'] ) ) {
			$clauses[] = 'created_at <= %d';
			$values[]  = max( 0, (int) $args['until'] );
		}
		if ( isset( $args['type'] ) ) {
			$types = array_values( array_unique( array_filter( array_map( 'sanitize_key', array_filter( (array) $args['type'], 'is_string' ) ) ) ) );
			if ( ! $types ) {
				$clauses[] = '1=0'; // Asked for types, none of them valid: nothing matches.
			} else {
				$clauses[] = 'type IN (' . implode( ', ', array_fill( 0, count( $types ), '%s' ) ) . ')';
				$values    = array_merge( $values, $types );
			}
		}
		return array( implode( ' AND ', $clauses ), $values );
	}

	/**
	 * A stored row in the shape listeners and query() callers get.
	 *
	 * @param array $row Row as stored (string or typed values).
	 */
	private static function to_event( array $row ): array {
		$data = null;
		if ( isset( $row['data'] ) && is_string( $row['data'] ) ) {
			$decoded = json_decode( $row['data'], true );
			$data    = is_array( $decoded ) ? $decoded : null;
		}
		return array(
			'id'         => (int) ( $row['id'] ?? 0 ),
			'created_at' => (int) ( $row['created_at'] ?? 0 ),
			'site_id'    => (int) ( $row['site_id'] ?? 0 ),
			'user_id'    => (int) ( $row['user_id'] ?? 0 ),
			'type'       => (string) ( $row['type'] ?? '' ),
			'reason'     => (string) ( $row['reason'] ?? '' ),
			'verifier'   => (string) ( $row['verifier'] ?? '' ),
			'ip'         => (string) ( $row['ip'] ?? '' ),
			'country'    => (string) ( $row['country'] ?? '' ),
			'device'     => (string) ( $row['device'] ?? '' ),
			'data'       => $data,
		);
	}
}
