<?php
/**
 * A searchable copy of every live session, so the cross-user Sessions screen can sort, filter and page
 * 100 000 sessions without reading 50 000 users' session lists on each request.
 *
 * The session manager stays the truth; this table is a cache of it, network-wide like the sessions
 * themselves: `{$wpdb->base_prefix}session_warden_sessions`, one row per session, keyed by user and the
 * session's public id hash (Session_Id), never by token or verifier. It is kept in step:
 *   - when the plugin writes or ends a session (Session_Store fires `session_warden_session_written` and
 *     `session_warden_sessions_destroyed`), when a session is created (`set_logged_in_cookie`, and any
 *     other `WP_Session_Tokens::create()` in the request, at shutdown), on core's logout (`wp_logout`) and
 *     when a user is deleted;
 *   - for the users on the page being shown (Session_Directory re-reads their real sessions and fixes the
 *     rows before showing them: sessions ended behind the plugin's back, e.g. core's "log out everywhere
 *     else", disappear there);
 *   - by a full rebuild from Session_Store::users_with_sessions(): on activation and upgrade, in the daily
 *     cron run, and when the table is empty while users have sessions.
 * Every write is best effort: a failing index write must never break a sign-in or a sign-out.
 *
 * @package SessionWarden
 */

namespace SessionWarden;

final class Session_Index {

	/** Schema version; bump it with every change to schema() so maybe_upgrade() reruns dbDelta. */
	public const DB_VERSION = 1;

	/** Network option (site option on a single site) holding the installed schema version. */
	public const VERSION_OPTION = 'session_warden_sessions_db_version';

	/** One-off cron event that runs a full rebuild outside the request that asked for it. */
	public const REBUILD_HOOK = 'session_warden_index_rebuild';

	/** Users read per rebuild batch: one users query, one usermeta query and one insert per batch. */
	public const BATCH = 500;

	/** Flags the directory can filter on, as bits of the `flag_bits` column. */
	public const FLAG_BITS = array(
		'ip_shift'        => 1,
		'country_anomaly' => 2,
	);

	/** Device classes the directory can filter on (anything else is stored as `other`). */
	public const DEVICE_CLASSES = array( 'desktop', 'mobile', 'tablet', 'bot', 'other' );

	/** Column widths, in characters. */
	private const WIDTHS = array(
		'ip'    => 45,
		'label' => 191,
		'flags' => 191,
	);

	/** Set by the uninstaller: no writes (they would re-create the table being dropped). */
	private static bool $suspended = false;

	/** Whether this request has checked the schema version. */
	private static bool $checked = false;

	/** @var array<int, true> Users whose sessions changed in this request without the index hearing of it yet. */
	private static array $dirty = array();

	/** The table's full name. */
	public static function table(): string {
		global $wpdb;
		return $wpdb->base_prefix . 'session_warden_sessions';
	}

	/* ------------------------------------------------------------------ schema */

	/** Creates or updates the table (dbDelta) and stores the schema version. Safe to run any number of times. */
	public static function install(): void {
		global $wpdb;
		require_once ABSPATH . 'wp-admin/includes/upgrade.php';
		dbDelta( self::schema( self::table(), $wpdb->get_charset_collate() ) );
		if ( is_multisite() ) {
			update_site_option( self::VERSION_OPTION, self::DB_VERSION );
		} else {
			update_option( self::VERSION_OPTION, self::DB_VERSION, true ); // Autoloaded: the check costs no query.
		}
		self::$checked = true;
	}

	/**
	 * Installs the table when the stored schema version is missing or older (once per request).
	 *
	 * @return bool Whether the table may be used now.
	 */
	public static function maybe_upgrade(): bool {
		if ( self::$suspended ) {
			return false;
		}
		if ( ! self::$checked ) {
			self::$checked = true;
			if ( (int) get_site_option( self::VERSION_OPTION, 0 ) < self::DB_VERSION ) {
				self::install();
			}
		}
		return true;
	}

	/** Stops every write for the rest of the request (uninstall). */
	public static function suspend(): void {
		self::$suspended = true;
	}

	/** Drops the table (uninstall). */
	public static function drop(): void {
		global $wpdb;
		$table = self::table();
		$wpdb->query( "DROP TABLE IF EXISTS {$table}" ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared,WordPress.DB.DirectDatabaseQuery.SchemaChange -- our own table.
	}

	/**
	 * The CREATE TABLE statement in the form dbDelta() parses.
	 *
	 * `activity` is the last activity, or the login time for a session without any recorded activity, so
	 * "most recently active" sorts every session. Each sort and filter the directory offers has a key
	 * ending in the sort column, so the first page is read off an index without sorting the table.
	 *
	 * @param string $table           Table name.
	 * @param string $charset_collate Charset clause.
	 */
	private static function schema( string $table, string $charset_collate ): string {
		return "CREATE TABLE {$table} (
  id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  user_id bigint(20) unsigned NOT NULL DEFAULT 0,
  sid char(32) NOT NULL DEFAULT '',
  login bigint(20) unsigned NOT NULL DEFAULT 0,
  activity bigint(20) unsigned NOT NULL DEFAULT 0,
  expiration bigint(20) unsigned NOT NULL DEFAULT 0,
  ip varchar(45) NOT NULL DEFAULT '',
  country char(2) NOT NULL DEFAULT '',
  device_class varchar(16) NOT NULL DEFAULT '',
  label varchar(191) NOT NULL DEFAULT '',
  flags varchar(191) NOT NULL DEFAULT '',
  flag_bits tinyint(3) unsigned NOT NULL DEFAULT 0,
  synced_at bigint(20) unsigned NOT NULL DEFAULT 0,
  PRIMARY KEY  (id),
  UNIQUE KEY user_sid (user_id,sid),
  KEY activity (activity),
  KEY login (login),
  KEY country_activity (country,activity),
  KEY country_login (country,login),
  KEY device_activity (device_class,activity),
  KEY device_login (device_class,login),
  KEY synced_at (synced_at)
) {$charset_collate};";
	}

	/* ------------------------------------------------------------------ rows */

	/**
	 * The index row for one stored session.
	 *
	 * @param int    $user_id  Owner.
	 * @param string $verifier Session verifier.
	 * @param array  $record   Stored record (Session_Store::all()).
	 * @param int    $now      Sync time.
	 */
	public static function row( int $user_id, string $verifier, array $record, int $now ): array {
		$ours   = Session_Record::ours( $record );
		$device = is_array( $ours['device'] ?? null ) ? $ours['device'] : array();
		$class  = is_string( $device['device_class'] ?? null ) ? $device['device_class'] : '';
		$class  = in_array( $class, self::DEVICE_CLASSES, true ) ? $class : ( '' === $class ? '' : 'other' );
		$flags  = array_values( array_unique( array_filter( (array) ( $ours['flags'] ?? array() ), 'is_string' ) ) );
		$bits   = 0;
		foreach ( $flags as $flag ) {
			$bits |= self::FLAG_BITS[ $flag ] ?? 0;
		}
		$login   = max( 0, (int) ( $record['login'] ?? 0 ) );
		$country = strtoupper( (string) ( $ours['country'] ?? '' ) );
		return array(
			'user_id'      => $user_id,
			'sid'          => Session_Id::hash( $user_id, $verifier ),
			'login'        => $login,
			'activity'     => max( $login, (int) ( $ours['last_activity'] ?? 0 ) ),
			'expiration'   => max( 0, (int) ( $record['expiration'] ?? 0 ) ),
			'ip'           => self::cut( (string) preg_replace( '/[^0-9A-Fa-f.:]/', '', (string) ( $ours['ip'] ?? ( $record['ip'] ?? '' ) ) ), 'ip' ),
			'country'      => preg_match( '/^[A-Z]{2}$/', $country ) ? $country : '',
			'device_class' => $class,
			'label'        => self::cut( sanitize_text_field( (string) ( $device['label'] ?? '' ) ), 'label' ),
			'flags'        => self::cut( implode( ',', array_map( 'sanitize_key', $flags ) ), 'flags' ),
			'flag_bits'    => $bits,
			'synced_at'    => $now,
		);
	}

	/**
	 * Whether a stored row still says what the session says (sync time aside).
	 *
	 * @param array $stored Row from the table (strings).
	 * @param array $fresh  Row from row().
	 */
	private static function same( array $stored, array $fresh ): bool {
		foreach ( $fresh as $column => $value ) {
			if ( 'synced_at' !== $column && (string) ( $stored[ $column ] ?? '' ) !== (string) $value ) {
				return false;
			}
		}
		return true;
	}

	/**
	 * Makes the index hold exactly the live sessions of these users (others' rows are untouched).
	 *
	 * @param int[]                           $user_ids Users.
	 * @param array<int, array<string,array>> $known    Sessions already read, user ID => Session_Store::all().
	 * @param bool                            $touch    Rewrite unchanged rows too (a rebuild stamps every row).
	 * @return array{changed:int, sessions:array<int, array<string, array>>} Rows inserted, updated or deleted,
	 *         and every user's live sessions as read (a user whose sessions cannot be read is left out).
	 */
	public static function sync_users( array $user_ids, array $known = array(), bool $touch = false ): array {
		global $wpdb;
		$user_ids = array_values( array_unique( array_filter( array_map( 'intval', $user_ids ), static fn ( int $id ): bool => $id > 0 ) ) );
		$out      = array(
			'changed'  => 0,
			'sessions' => array(),
		);
		if ( ! $user_ids ) {
			return $out;
		}
		$usable = self::maybe_upgrade();
		$now    = time();
		$store  = new Session_Store();

		$missing = array_diff( $user_ids, array_keys( $known ) );
		if ( count( $missing ) > 1 ) {
			cache_users( $missing ); // Two queries for the whole batch instead of two per user.
		}
		$fresh = array();
		foreach ( $user_ids as $uid ) {
			$sessions = $known[ $uid ] ?? null;
			if ( null === $sessions ) {
				try {
					$sessions = get_userdata( $uid ) ? $store->all( $uid ) : array();
				} catch ( \InvalidArgumentException | \UnexpectedValueException $e ) {
					$sessions = array(); // The user is gone: nothing of theirs may stay listed.
				}
			}
			$live = array();
			foreach ( $sessions as $verifier => $record ) {
				if ( (int) ( $record['expiration'] ?? 0 ) >= $now ) {
					$live[ (string) $verifier ] = $record;
					$row                        = self::row( $uid, (string) $verifier, $record, $now );
					$fresh[ $uid . '-' . $row['sid'] ] = $row;
				}
			}
			$out['sessions'][ $uid ] = $live;
		}
		if ( ! $usable ) {
			return $out;
		}

		$table  = self::table();
		$in     = implode( ',', $user_ids ); // Integers only.
		$stored = $wpdb->get_results( "SELECT * FROM {$table} WHERE user_id IN ({$in})", ARRAY_A ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		$delete = array();
		foreach ( is_array( $stored ) ? $stored : array() as $row ) {
			$key = $row['user_id'] . '-' . $row['sid'];
			if ( ! isset( $fresh[ $key ] ) ) {
				$delete[] = (int) $row['id'];
			} elseif ( ! $touch && self::same( $row, $fresh[ $key ] ) ) {
				unset( $fresh[ $key ] );
			}
		}
		if ( $delete ) {
			$wpdb->query( "DELETE FROM {$table} WHERE id IN (" . implode( ',', $delete ) . ')' ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		}
		self::upsert( array_values( $fresh ) );
		foreach ( $user_ids as $uid ) {
			unset( self::$dirty[ $uid ] );
		}
		$out['changed'] = count( $delete ) + count( $fresh );
		return $out;
	}

	/**
	 * Inserts rows, replacing the row of the same session; a few hundred per statement.
	 *
	 * @param array[] $rows Rows from row().
	 */
	private static function upsert( array $rows ): void {
		global $wpdb;
		if ( ! $rows ) {
			return;
		}
		$table   = self::table();
		$columns = array_keys( $rows[0] );
		$update  = implode( ', ', array_map( static fn ( string $c ): string => "{$c} = VALUES({$c})", array_diff( $columns, array( 'user_id', 'sid' ) ) ) );
		$formats = '(' . implode( ',', array_map( static fn ( $v ): string => is_int( $v ) ? '%d' : '%s', $rows[0] ) ) . ')';
		foreach ( array_chunk( $rows, 500 ) as $chunk ) {
			$values = array();
			foreach ( $chunk as $row ) {
				$values[] = $wpdb->prepare( $formats, array_values( $row ) ); // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared -- formats built from the row's own types.
			}
			$suppress = $wpdb->suppress_errors( true );
			// phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared -- every value was prepared above.
			$wpdb->query( "INSERT INTO {$table} (" . implode( ',', $columns ) . ') VALUES ' . implode( ',', $values ) . " ON DUPLICATE KEY UPDATE {$update}" );
			$wpdb->suppress_errors( $suppress );
		}
	}

	/**
	 * Removes the rows of sessions by id hash.
	 *
	 * @param int      $user_id Owner.
	 * @param string[] $sids    Id hashes.
	 */
	private static function delete_sids( int $user_id, array $sids ): void {
		global $wpdb;
		$sids = array_values( array_filter( $sids, static fn ( $s ): bool => is_string( $s ) && 1 === preg_match( '/^[0-9a-f]{32}$/', $s ) ) );
		if ( ! $sids || ! self::maybe_upgrade() ) {
			return;
		}
		$table = self::table();
		$list  = "'" . implode( "','", $sids ) . "'"; // Hex only.
		$wpdb->query( $wpdb->prepare( "DELETE FROM {$table} WHERE user_id = %d AND sid IN ({$list})", $user_id ) ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
	}

	/* ------------------------------------------------------------------ hooks */

	/**
	 * `session_warden_session_written`: the plugin rewrote one session's record.
	 *
	 * @param int    $user_id  Owner.
	 * @param string $verifier Session.
	 * @param array  $record   Record as written.
	 */
	public static function written( $user_id, $verifier, $record ): void {
		if ( ! is_array( $record ) || ! self::maybe_upgrade() ) {
			return;
		}
		$now = time();
		if ( (int) ( $record['expiration'] ?? 0 ) < $now ) {
			self::delete_sids( (int) $user_id, array( Session_Id::hash( (int) $user_id, (string) $verifier ) ) );
			return;
		}
		self::upsert( array( self::row( (int) $user_id, (string) $verifier, $record, $now ) ) );
	}

	/**
	 * `session_warden_sessions_destroyed`: the plugin ended sessions of one user.
	 *
	 * @param int      $user_id   Owner.
	 * @param string[] $verifiers Sessions ended.
	 */
	public static function destroyed( $user_id, $verifiers ): void {
		$user_id = (int) $user_id;
		$sids    = array();
		foreach ( (array) $verifiers as $verifier ) {
			$sids[] = Session_Id::hash( $user_id, strtolower( (string) $verifier ) );
		}
		self::delete_sids( $user_id, $sids );
	}

	/**
	 * `set_logged_in_cookie`: a sign-in (or re-issued cookie) stored a new session. The whole user is
	 * synced: core drops expired sessions on every write, and the sign-in may have ended others.
	 *
	 * @param string $cookie     Cookie value.
	 * @param int    $expire     Cookie expiry.
	 * @param int    $expiration Session expiry.
	 * @param int    $user_id    User ID.
	 */
	public static function logged_in( $cookie = '', $expire = 0, $expiration = 0, $user_id = 0 ): void {
		self::sync_quietly( (int) $user_id );
	}

	/**
	 * `attach_session_information`: a session is about to be created, possibly without a cookie (a plugin
	 * calling WP_Session_Tokens::create() directly); the user is synced at the end of the request.
	 *
	 * @param array      $info    Session information (returned as is).
	 * @param int|string $user_id User ID.
	 * @return array
	 */
	public static function creating( $info, $user_id ) {
		$user_id = (int) $user_id;
		if ( $user_id > 0 ) {
			if ( ! self::$dirty ) {
				add_action( 'shutdown', array( self::class, 'flush' ) );
			}
			self::$dirty[ $user_id ] = true;
		}
		return $info;
	}

	/** Syncs the users whose sessions changed in this request without the index hearing of it. */
	public static function flush(): void {
		$users       = array_keys( self::$dirty );
		self::$dirty = array();
		foreach ( $users as $uid ) {
			self::sync_quietly( (int) $uid );
		}
	}

	/**
	 * `wp_logout`: core has just destroyed the current session (wp_destroy_current_session()).
	 *
	 * @param int $user_id User who signed out (WordPress 5.5+).
	 */
	public static function logged_out( $user_id = 0 ): void {
		self::sync_quietly( (int) $user_id );
	}

	/**
	 * `deleted_user`: the user and so their sessions are gone.
	 *
	 * @param int $user_id Deleted user.
	 */
	public static function user_deleted( $user_id ): void {
		global $wpdb;
		if ( (int) $user_id > 0 && self::maybe_upgrade() ) {
			$wpdb->delete( self::table(), array( 'user_id' => (int) $user_id ), array( '%d' ) );
		}
	}

	/**
	 * @param int $user_id User.
	 */
	private static function sync_quietly( int $user_id ): void {
		if ( $user_id <= 0 ) {
			return;
		}
		try {
			self::sync_users( array( $user_id ) );
		} catch ( \Throwable $e ) {
			// The index is a cache: the next page view or rebuild repairs it; a sign-in must go on.
			error_log( 'Session Warden: the sessions index could not be updated: ' . $e->getMessage() ); // phpcs:ignore WordPress.PHP.DevelopmentFunctions.error_log_error_log
		}
	}

	/* ------------------------------------------------------------------ rebuild */

	/**
	 * Rebuilds the whole index from the session manager, a batch of users at a time. Rows of users found
	 * are rewritten; afterwards every row neither rewritten by this run nor by a live hook during it is
	 * deleted (a user who no longer has sessions).
	 *
	 * @param int $batch Users per batch.
	 * @return array{users:int, sessions:int, removed:int, seconds:float}
	 */
	public static function rebuild( int $batch = self::BATCH ): array {
		global $wpdb;
		$t0    = microtime( true );
		$batch = max( 1, $batch );
		$out   = array(
			'users'    => 0,
			'sessions' => 0,
			'removed'  => 0,
			'seconds'  => 0.0,
		);
		if ( ! self::maybe_upgrade() ) {
			return $out;
		}
		$start  = time();
		$store  = new Session_Store();
		$offset = 0;
		do {
			$ids = $store->users_with_sessions( $offset, $batch );
			if ( $ids ) {
				$synced = self::sync_users( $ids, array(), true );
				$out['users'] += count( $ids );
				foreach ( $synced['sessions'] as $sessions ) {
					$out['sessions'] += count( $sessions );
				}
				self::forget_users( $ids );
			}
			$offset += count( $ids );
		} while ( count( $ids ) === $batch );

		$table          = self::table();
		$out['removed'] = (int) $wpdb->query( $wpdb->prepare( "DELETE FROM {$table} WHERE synced_at < %d", $start ) ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		$out['seconds'] = round( microtime( true ) - $t0, 3 );
		update_site_option( 'session_warden_sessions_rebuilt', $start );
		return $out;
	}

	/** Cron: the one-off rebuild event. */
	public static function scheduled_rebuild(): void {
		self::rebuild();
	}

	/** Asks cron for a rebuild soon (once, however often it is asked). */
	public static function schedule_rebuild(): void {
		if ( false === wp_next_scheduled( self::REBUILD_HOOK ) ) {
			wp_schedule_single_event( time(), self::REBUILD_HOOK );
		}
	}

	/**
	 * Rebuilds now when the table is empty while users have sessions (a fresh install whose activation
	 * rebuild did not run, or a table emptied by hand).
	 *
	 * @return bool Whether a rebuild ran.
	 */
	public static function ensure_filled(): bool {
		global $wpdb;
		if ( ! self::maybe_upgrade() ) {
			return false;
		}
		$table = self::table();
		if ( null !== $wpdb->get_var( "SELECT id FROM {$table} LIMIT 1" ) ) { // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
			return false;
		}
		if ( ! ( new Session_Store() )->users_with_sessions( 0, 1 ) ) {
			return false;
		}
		self::rebuild();
		return true;
	}

	/**
	 * Drops a rebuild batch's users from the in-process cache, so a rebuild of 50 000 users does not keep
	 * them all in memory. A persistent object cache keeps its copies; only its per-request layer is let go.
	 *
	 * @param int[] $ids Users.
	 */
	private static function forget_users( array $ids ): void {
		if ( wp_using_ext_object_cache() ) {
			if ( function_exists( 'wp_cache_supports' ) && wp_cache_supports( 'flush_runtime' ) ) {
				wp_cache_flush_runtime();
			}
			return;
		}
		foreach ( $ids as $id ) {
			wp_cache_delete( (int) $id, 'users' );
			wp_cache_delete( (int) $id, 'user_meta' );
		}
	}

	/* ------------------------------------------------------------------ queries */

	/**
	 * One page of index rows and the number of rows matching, for Session_Directory::query().
	 *
	 * @param array $q Normalised arguments: user, role, country, device_class, flag, search, orderby
	 *                 (login|last_activity), order (ASC|DESC), per_page, page.
	 * @return array{rows: array[], total: int}
	 */
	public static function search( array $q ): array {
		global $wpdb;
		$table   = self::table();
		$joins   = '';
		$where   = array( 'i.expiration >= %d' );
		$values  = array( time() );
		$epoch   = Settings::epoch();
		if ( $epoch > 0 ) {
			// Sessions older than a site-wide logout end on their next request: they are not live any more.
			$where[]  = 'i.login >= %d';
			$values[] = $epoch;
		}
		if ( $q['user'] > 0 ) {
			$where[]  = 'i.user_id = %d';
			$values[] = $q['user'];
		}
		if ( '' !== $q['country'] ) {
			$where[]  = 'i.country = %s';
			$values[] = $q['country'];
		}
		if ( '' !== $q['device_class'] ) {
			$where[]  = 'i.device_class = %s';
			$values[] = $q['device_class'];
		}
		if ( '' !== $q['flag'] ) {
			$where[]  = '(i.flag_bits & %d) <> 0';
			$values[] = self::FLAG_BITS[ $q['flag'] ];
		}
		$join_values = array();
		if ( '' !== $q['role'] ) {
			// Roles on the current site live in the user's `{blog prefix}capabilities` meta, as WP_User_Query reads them.
			$joins        .= " INNER JOIN {$wpdb->usermeta} cap ON cap.user_id = i.user_id AND cap.meta_key = %s AND cap.meta_value LIKE %s";
			$join_values[] = $wpdb->get_blog_prefix() . 'capabilities';
			$join_values[] = '%' . $wpdb->esc_like( '"' . $q['role'] . '"' ) . '%';
		}
		if ( '' !== $q['search'] ) {
			$like     = '%' . $wpdb->esc_like( $q['search'] ) . '%';
			$where[]  = "(i.ip LIKE %s OR i.user_id IN (SELECT u.ID FROM {$wpdb->users} u WHERE u.user_login LIKE %s OR u.user_email LIKE %s OR u.display_name LIKE %s))";
			$values[] = $like;
			$values[] = $like;
			$values[] = $like;
			$values[] = $like;
		}
		$column = 'login' === $q['orderby'] ? 'i.login' : 'i.activity';
		$dir    = 'ASC' === $q['order'] ? 'ASC' : 'DESC';
		$from   = "{$table} i{$joins} WHERE " . implode( ' AND ', $where );
		$args   = array_merge( $join_values, $values );

		// phpcs:disable WordPress.DB.PreparedSQL.InterpolatedNotPrepared,WordPress.DB.PreparedSQL.NotPrepared -- table and column names are ours; values are placeholders.
		$rows  = $wpdb->get_results(
			$wpdb->prepare(
				"SELECT i.* FROM {$from} ORDER BY {$column} {$dir}, i.id {$dir} LIMIT %d OFFSET %d",
				array_merge( $args, array( $q['per_page'], ( $q['page'] - 1 ) * $q['per_page'] ) )
			),
			ARRAY_A
		);
		$total = (int) $wpdb->get_var( $wpdb->prepare( "SELECT COUNT(*) FROM {$from}", $args ) );
		// phpcs:enable
		return array(
			'rows'  => is_array( $rows ) ? $rows : array(),
			'total' => $total,
		);
	}

	/**
	 * Cuts a string to its column's width in characters.
	 *
	 * @param string $value  Clean value.
	 * @param string $column Column.
	 */
	private static function cut( string $value, string $column ): string {
		$width = self::WIDTHS[ $column ];
		return function_exists( 'mb_substr' ) ? mb_substr( $value, 0, $width, 'UTF-8' ) : substr( $value, 0, $width );
	}
}
