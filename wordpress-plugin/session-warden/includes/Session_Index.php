<?php
/**
 * A searchable copy of every live session, so the cross-user Sessions screen can sort, filter and page
 * 100 000 sessions without reading 50 000 users' session lists on each request.
 *
 * The session manager stays the truth; these tables are a cache of it, network-wide like the sessions
 * themselves:
 *   `{$wpdb->base_prefix}session_warden_sessions`  one row per live session, keyed by user and the session's
 *                                                   public id hash (Session_Id), never by token or verifier,
 *                                                   with its owner's roles on every site (the role filter);
 *   `{$wpdb->base_prefix}session_warden_session_users`  one row per user listed there: login, e-mail and
 *                                                   display name, so a search scans this small table
 *                                                   instead of the users table.
 * "Live" means not expired and not older than the site-wide logout epoch. They are kept in step:
 *   - when the plugin writes or ends a session (Session_Store fires `session_warden_session_written` and
 *     `session_warden_sessions_destroyed`), when a session is created (`set_logged_in_cookie`, and any
 *     other `WP_Session_Tokens::create()` in the request, at shutdown), on core's logout (`wp_logout`), on a
 *     site-wide logout, and when a user is changed, given roles or deleted;
 *   - for the users on the page being shown (Session_Directory re-reads their real sessions and fixes the
 *     rows before showing them: sessions ended behind the plugin's back, e.g. core's "log out everywhere
 *     else", disappear there); expired rows are dropped before each query;
 *   - by a full rebuild from Session_Store::users_with_sessions_after(): on activation and upgrade, in the
 *     daily cron run, and when the table is empty while users have sessions.
 * Every write is best effort: a failing index write must never break a sign-in or a sign-out.
 *
 * @package SessionWarden
 */

namespace SessionWarden;

final class Session_Index {

	/**
	 * Schema version. The tables are a cache: a new version drops and re-creates them, then rebuilds.
	 */
	public const DB_VERSION = 3;

	/** Network option (site option on a single site) holding the installed schema version. */
	public const VERSION_OPTION = 'session_warden_sessions_db_version';

	/** One-off cron event that runs a full rebuild outside the request that asked for it. */
	public const REBUILD_HOOK = 'session_warden_index_rebuild';

	/** Users per rebuild batch: one users query, one usermeta query and a few index statements per batch. */
	public const BATCH = 500;

	/** Above this many matches, a search reads the sort key in order instead of sorting its matches. */
	private const DENSE = 2000;

	/** Flags the directory can filter on, as bits of the `flag_bits` column. */
	public const FLAG_BITS = array(
		'ip_shift'        => 1,
		'country_anomaly' => 2,
	);

	/** Device classes the directory can filter on (anything else is stored as `other`). */
	public const DEVICE_CLASSES = array( 'desktop', 'mobile', 'tablet', 'bot', 'other' );

	/** Column widths, in characters. */
	private const WIDTHS = array(
		'ip'           => 45,
		'label'        => 191,
		'flags'        => 191,
		'roles'        => 1000,
		'user_login'   => 60,
		'user_email'   => 100,
		'display_name' => 250,
	);

	/** Set by the uninstaller: no writes (they would re-create the tables being dropped). */
	private static bool $suspended = false;

	/** Whether this request has checked the schema version. */
	private static bool $checked = false;

	/** @var array<int, true> Users whose sessions changed in this request without the index hearing of it yet. */
	private static array $dirty = array();

	/** The sessions table's full name. */
	public static function table(): string {
		global $wpdb;
		return $wpdb->base_prefix . 'session_warden_sessions';
	}

	/** The per-user table's full name. */
	public static function users_table(): string {
		global $wpdb;
		return $wpdb->base_prefix . 'session_warden_session_users';
	}

	/* ------------------------------------------------------------------ schema */

	/**
	 * Creates the tables (dbDelta) and stores the schema version. Safe to run any number of times; tables
	 * of an older schema are dropped first (they only hold copies) and a rebuild is asked of cron.
	 */
	public static function install(): void {
		global $wpdb;
		self::$suspended = false; // Installing again (activation after an uninstall in the same process).
		$installed = (int) get_site_option( self::VERSION_OPTION, 0 );
		if ( $installed > 0 && $installed < self::DB_VERSION ) {
			self::drop();
		}
		require_once ABSPATH . 'wp-admin/includes/upgrade.php';
		dbDelta( self::schema( $wpdb->get_charset_collate() ) );
		if ( is_multisite() ) {
			update_site_option( self::VERSION_OPTION, self::DB_VERSION );
		} else {
			update_option( self::VERSION_OPTION, self::DB_VERSION, true ); // Autoloaded: the check costs no query.
		}
		if ( $installed > 0 && $installed < self::DB_VERSION ) {
			self::schedule_rebuild();
		}
		self::$checked = true;
	}

	/**
	 * Installs the tables when the stored schema version is missing or older (checked once per request).
	 *
	 * @return bool Whether the tables may be used now.
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

	/** Drops the tables (uninstall, schema change). */
	public static function drop(): void {
		global $wpdb;
		// phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared,WordPress.DB.DirectDatabaseQuery.SchemaChange -- our own tables.
		$wpdb->query( 'DROP TABLE IF EXISTS ' . self::table() . ', ' . self::users_table() );
	}

	/**
	 * The CREATE TABLE statements in the form dbDelta() parses.
	 *
	 * `activity` is the last activity, or the login time for a session without any recorded activity, so
	 * "most recently active" sorts every session. The first page of every sort and of the country and device
	 * filters is read off a key ending in the sort column (InnoDB appends the primary key, which breaks
	 * ties), without sorting the table; `ip` has its own key so an IP search scans that key only.
	 *
	 * @param string $charset_collate Charset clause.
	 */
	private static function schema( string $charset_collate ): string {
		$sessions = self::table();
		$users    = self::users_table();
		return "CREATE TABLE {$sessions} (
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
  roles varchar(1000) NOT NULL DEFAULT '',
  PRIMARY KEY  (id),
  UNIQUE KEY user_sid (user_id,sid),
  KEY activity (activity),
  KEY login (login),
  KEY expiration (expiration),
  KEY country_activity (country,activity),
  KEY device_activity (device_class,activity),
  KEY ip (ip)
) {$charset_collate};
CREATE TABLE {$users} (
  user_id bigint(20) unsigned NOT NULL DEFAULT 0,
  user_login varchar(60) NOT NULL DEFAULT '',
  user_email varchar(100) NOT NULL DEFAULT '',
  display_name varchar(250) NOT NULL DEFAULT '',
  PRIMARY KEY  (user_id)
) {$charset_collate};";
	}

	/* ------------------------------------------------------------------ rows */

	/**
	 * Whether a stored session is live: not expired, and not older than the site-wide logout epoch (such a
	 * session ends on its next request, or at the next sweep).
	 *
	 * @param array $record Stored record.
	 * @param int   $now    Current time.
	 * @param int   $epoch  Settings::epoch().
	 */
	public static function is_live( array $record, int $now, int $epoch ): bool {
		return (int) ( $record['expiration'] ?? 0 ) >= $now && ( $epoch <= 0 || (int) ( $record['login'] ?? 0 ) >= $epoch );
	}

	/**
	 * The index row for one stored session.
	 *
	 * @param int    $user_id  Owner.
	 * @param string $verifier Session verifier.
	 * @param array  $record   Stored record (Session_Store::all()).
	 * @param string $roles    The owner's roles (roles()).
	 */
	public static function row( int $user_id, string $verifier, array $record, string $roles = '' ): array {
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
		$label   = is_scalar( $device['label'] ?? null ) ? (string) $device['label'] : '';
		return array(
			'user_id'      => $user_id,
			'sid'          => Session_Id::hash( $user_id, $verifier ),
			'login'        => $login,
			'activity'     => max( $login, (int) ( $ours['last_activity'] ?? 0 ) ),
			'expiration'   => max( 0, (int) ( $record['expiration'] ?? 0 ) ),
			'ip'           => self::cut( (string) preg_replace( '/[^0-9A-Fa-f.:]/', '', (string) ( $ours['ip'] ?? ( $record['ip'] ?? '' ) ) ), 'ip' ),
			'country'      => preg_match( '/^[A-Z]{2}$/', $country ) ? $country : '',
			'device_class' => $class,
			'label'        => self::cut( sanitize_text_field( $label ), 'label' ),
			'flags'        => self::cut( implode( ',', array_map( 'sanitize_key', $flags ) ), 'flags' ),
			'flag_bits'    => $bits,
			'roles'        => self::cut( $roles, 'roles' ),
		);
	}

	/**
	 * The user's roles on every site of the network as `|blog_id:role|…|`, read from the user's meta (which
	 * WordPress has in its cache whenever the user object is loaded).
	 *
	 * @param int $user_id User.
	 */
	public static function roles( int $user_id ): string {
		global $wpdb;
		$roles   = array();
		$pattern = '/^' . preg_quote( $wpdb->base_prefix, '/' ) . '(?:([0-9]+)_)?capabilities$/';
		foreach ( (array) get_user_meta( $user_id ) as $key => $values ) {
			if ( ! preg_match( $pattern, (string) $key, $m ) ) {
				continue;
			}
			// The base prefix is site 1 (wpdb::get_blog_prefix()), on a single site too.
			$blog = isset( $m[1] ) && '' !== $m[1] ? (int) $m[1] : 1;
			$caps = maybe_unserialize( is_array( $values ) ? ( $values[0] ?? '' ) : $values );
			foreach ( is_array( $caps ) ? $caps : array() as $role => $granted ) {
				// Like WP_User_Query's role search, any granted key counts; role names are keys.
				if ( $granted && is_string( $role ) && sanitize_key( $role ) === $role ) {
					$roles[] = $blog . ':' . $role;
				}
			}
		}
		sort( $roles );
		return $roles ? '|' . implode( '|', $roles ) . '|' : '';
	}

	/**
	 * The per-user row: what a search looks in besides the IP.
	 *
	 * @param \WP_User|object $user User, or the user's row from the users table.
	 */
	public static function user_row( object $user ): array {
		return array(
			'user_id'      => (int) $user->ID,
			'user_login'   => self::cut( (string) $user->user_login, 'user_login' ),
			'user_email'   => self::cut( (string) $user->user_email, 'user_email' ),
			'display_name' => self::cut( (string) $user->display_name, 'display_name' ),
		);
	}

	/**
	 * Whether a stored row still says what the fresh one says.
	 *
	 * @param array $stored Row from the table (strings).
	 * @param array $fresh  Row from row() or user_row().
	 */
	private static function same( array $stored, array $fresh ): bool {
		foreach ( $fresh as $column => $value ) {
			if ( (string) ( $stored[ $column ] ?? '' ) !== (string) $value ) {
				return false;
			}
		}
		return true;
	}

	/**
	 * Makes the index hold exactly the live sessions of these users (others' rows are untouched), and only
	 * writes what differs.
	 *
	 * @param int[]                           $user_ids Users.
	 * @param array<int, array<string,array>> $known    Sessions already read, user ID => Session_Store::all().
	 * @return array{changed:int, sessions:array<int, array<string, array>>} Session rows inserted, updated or
	 *         deleted, and each user's live sessions as read (a user who is gone has none).
	 */
	public static function sync_users( array $user_ids, array $known = array() ): array {
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
		$epoch  = Settings::epoch();
		$store  = new Session_Store();

		if ( count( $user_ids ) > 1 ) {
			cache_users( $user_ids ); // Two queries for the whole batch instead of two per user.
		}
		$fresh  = array();
		$people = array();
		foreach ( $user_ids as $uid ) {
			$user     = get_userdata( $uid );
			$sessions = $known[ $uid ] ?? null;
			if ( ! $user instanceof \WP_User ) {
				$sessions = array(); // The user is gone: nothing of theirs may stay listed.
			} elseif ( null === $sessions ) {
				try {
					$sessions = $store->all( $uid );
				} catch ( \InvalidArgumentException | \UnexpectedValueException $e ) {
					$sessions = array();
				}
			}
			$live  = array();
			$roles = $sessions ? self::roles( $uid ) : '';
			foreach ( $sessions as $verifier => $record ) {
				if ( self::is_live( $record, $now, $epoch ) ) {
					$live[ (string) $verifier ]        = $record;
					$row                               = self::row( $uid, (string) $verifier, $record, $roles );
					$fresh[ $uid . '-' . $row['sid'] ] = $row;
				}
			}
			if ( $live && $user instanceof \WP_User ) {
				$people[ $uid ] = self::user_row( $user );
			}
			$out['sessions'][ $uid ] = $live;
		}
		foreach ( $user_ids as $uid ) {
			unset( self::$dirty[ $uid ] );
		}
		if ( ! $usable ) {
			return $out;
		}

		$in = implode( ',', $user_ids ); // Integers only.
		// phpcs:disable WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table names are ours, ids are integers.
		$stored = $wpdb->get_results( 'SELECT id, ' . implode( ', ', array_keys( self::row( 1, '', array() ) ) ) . ' FROM ' . self::table() . " WHERE user_id IN ({$in})", ARRAY_A );
		$delete = array();
		foreach ( is_array( $stored ) ? $stored : array() as $row ) {
			$key = $row['user_id'] . '-' . $row['sid'];
			if ( ! isset( $fresh[ $key ] ) ) {
				$delete[] = (int) $row['id'];
			} elseif ( self::same( $row, $fresh[ $key ] ) ) {
				unset( $fresh[ $key ] );
			}
		}
		if ( $delete ) {
			$wpdb->query( 'DELETE FROM ' . self::table() . ' WHERE id IN (' . implode( ',', $delete ) . ')' );
		}
		self::upsert( self::table(), array_values( $fresh ), array( 'user_id', 'sid' ) );

		$stored = $wpdb->get_results( 'SELECT * FROM ' . self::users_table() . " WHERE user_id IN ({$in})", ARRAY_A );
		$gone   = array();
		foreach ( is_array( $stored ) ? $stored : array() as $row ) {
			$uid = (int) $row['user_id'];
			if ( ! isset( $people[ $uid ] ) ) {
				$gone[] = $uid;
			} elseif ( self::same( $row, $people[ $uid ] ) ) {
				unset( $people[ $uid ] );
			}
		}
		if ( $gone ) {
			$wpdb->query( 'DELETE FROM ' . self::users_table() . ' WHERE user_id IN (' . implode( ',', $gone ) . ')' );
		}
		self::upsert( self::users_table(), array_values( $people ), array( 'user_id' ) );
		// phpcs:enable
		$out['changed'] = count( $delete ) + count( $fresh );
		return $out;
	}

	/**
	 * Inserts rows, replacing the row with the same unique key; up to 500 per statement.
	 *
	 * @param string   $table Table.
	 * @param array[]  $rows  Rows with the same columns; int values are written as numbers, the rest as strings.
	 * @param string[] $keys  The unique key's columns (not rewritten on a duplicate).
	 * @return int Rows affected as MariaDB counts them: 1 for each inserted row, 2 for each changed one.
	 */
	private static function upsert( string $table, array $rows, array $keys ): int {
		global $wpdb;
		if ( ! $rows ) {
			return 0;
		}
		$affected = 0;
		$columns  = array_keys( $rows[0] );
		$update   = implode( ', ', array_map( static fn ( string $c ): string => "{$c} = VALUES({$c})", array_diff( $columns, $keys ) ) );
		foreach ( array_chunk( $rows, 500 ) as $chunk ) {
			$values = array();
			foreach ( $chunk as $row ) {
				$cells = array();
				foreach ( $row as $value ) {
					// Escaped by hand: wpdb::prepare() per row costs more than the insert itself in a rebuild.
					$cells[] = is_int( $value ) ? (string) $value : "'" . esc_sql( (string) $value ) . "'";
				}
				$values[] = '(' . implode( ',', $cells ) . ')';
			}
			$suppress = $wpdb->suppress_errors( true );
			// phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared,WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- every value is escaped above.
			$affected += (int) $wpdb->query( "INSERT INTO {$table} (" . implode( ',', $columns ) . ') VALUES ' . implode( ',', $values ) . " ON DUPLICATE KEY UPDATE {$update}" );
			$wpdb->suppress_errors( $suppress );
		}
		return $affected;
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

	/**
	 * Drops rows of sessions that stopped being live by the clock: expired, or older than a site-wide
	 * logout. A probe on each key first, so a query pays for a delete only when there is something to delete.
	 */
	public static function prune(): void {
		global $wpdb;
		if ( ! self::maybe_upgrade() ) {
			return;
		}
		$table = self::table();
		$epoch = Settings::epoch();
		// phpcs:disable WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- the table name is ours.
		$conditions = array( $wpdb->prepare( 'expiration < %d', time() ) );
		if ( $epoch > 0 ) {
			$conditions[] = $wpdb->prepare( 'login < %d', $epoch );
		}
		foreach ( $conditions as $condition ) {
			if ( null !== $wpdb->get_var( "SELECT id FROM {$table} WHERE {$condition} LIMIT 1" ) ) {
				$wpdb->query( "DELETE FROM {$table} WHERE {$condition}" );
			}
		}
		// phpcs:enable
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
		if ( is_array( $record ) ) {
			self::write_one( (int) $user_id, (string) $verifier, $record, false );
		}
	}

	/**
	 * Writes one session's row, or removes it when the session is no longer live. The person row goes with a
	 * session row the index did not hold yet, unless the owner's other live sessions are listed ($listed): it
	 * was written with theirs, and user_changed() keeps it current, so rewriting it with every sign-in and
	 * every activity update would cost each of them a statement for nothing.
	 *
	 * @param int    $user_id  Owner.
	 * @param string $verifier Session.
	 * @param array  $record   Stored record.
	 * @param bool   $listed   Whether the owner has other live sessions, which the index lists already.
	 */
	private static function write_one( int $user_id, string $verifier, array $record, bool $listed ): void {
		if ( ! self::maybe_upgrade() ) {
			return;
		}
		if ( ! self::is_live( $record, time(), Settings::epoch() ) ) {
			self::delete_sids( $user_id, array( Session_Id::hash( $user_id, $verifier ) ) );
			return;
		}
		// The users-table row (cached) is all the person row needs; a WP_User would also build capabilities.
		$user = \WP_User::get_data_by( 'id', $user_id );
		if ( ! is_object( $user ) ) {
			return;
		}
		$inserted = 1 === self::upsert( self::table(), array( self::row( $user_id, $verifier, $record, self::roles( $user_id ) ) ), array( 'user_id', 'sid' ) );
		if ( $inserted && ! $listed ) {
			self::upsert( self::users_table(), array( self::user_row( $user ) ), array( 'user_id' ) );
		}
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
	 * `set_logged_in_cookie`: a sign-in (or re-issued cookie) stored a new session. Only that session's
	 * row is written (one statement on the sign-in's own time, two for the user's only live session, whose
	 * person row may be missing; see write_one()): sessions the sign-in ended reached the
	 * index through `destroyed()`, and the expired ones core dropped are left out of every query and
	 * removed by the next page check or rebuild. Without the token the whole user is synced instead.
	 *
	 * @param string $cookie     Cookie value.
	 * @param int    $expire     Cookie expiry.
	 * @param int    $expiration Session expiry.
	 * @param int    $user_id    User ID.
	 * @param string $scheme     Cookie scheme.
	 * @param string $token      The new session's token (never stored; only its verifier is used).
	 */
	public static function logged_in( $cookie = '', $expire = 0, $expiration = 0, $user_id = 0, $scheme = 'logged_in', $token = '' ): void {
		$user_id = (int) $user_id;
		if ( $user_id <= 0 ) {
			return;
		}
		try {
			$store    = new Session_Store();
			$verifier = '' !== (string) $token ? $store->verifier_for_token( (string) $token ) : '';
			$sessions = '' !== $verifier ? $store->all( $user_id ) : array();
			if ( ! isset( $sessions[ $verifier ] ) ) {
				self::sync_users( array( $user_id ) );
				return;
			}
			$now    = time();
			$epoch  = Settings::epoch();
			$listed = false;
			foreach ( $sessions as $other => $record ) {
				if ( $other !== $verifier && self::is_live( $record, $now, $epoch ) ) {
					$listed = true;
					break;
				}
			}
			self::write_one( $user_id, $verifier, $sessions[ $verifier ], $listed );
			// creating() asked for a sync of this user at shutdown; the row it was for is written.
			unset( self::$dirty[ $user_id ] );
		} catch ( \Throwable $e ) {
			// The index is a cache: the next page view or rebuild repairs it; a sign-in must go on.
			error_log( 'Session Warden: the sessions index could not be updated: ' . $e->getMessage() ); // phpcs:ignore WordPress.PHP.DevelopmentFunctions.error_log_error_log
		}
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
	 * Also `profile_update`, `set_user_role`, `add_user_role`, `remove_user_role`, `add_user_to_blog` and
	 * `remove_user_from_blog`: the user's name, e-mail or roles may have changed.
	 *
	 * @param int $user_id User.
	 */
	public static function user_changed( $user_id = 0 ): void {
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
			$wpdb->delete( self::users_table(), array( 'user_id' => (int) $user_id ), array( '%d' ) );
		}
	}

	/** `session_warden_end_all_sessions`: every session that began before the new epoch stops being live. */
	public static function epoch_moved(): void {
		self::prune();
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
	 * Rebuilds the whole index from the session manager, a batch of users at a time in ID order. Each batch
	 * rewrites only the rows that differ, and removes the rows of users in its ID range that no longer have
	 * sessions; rows written meanwhile by the live hooks for ranges already walked are left alone.
	 *
	 * One rebuild at a time per site database (a MariaDB/MySQL named lock): a second one asked for meanwhile
	 * (cron and an empty index seen by a page view) returns at once with `busy`.
	 *
	 * @param int $batch Users per batch.
	 * @return array{users:int, sessions:int, removed:int, seconds:float, busy:bool}
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
			'busy'     => false,
		);
		if ( ! self::maybe_upgrade() ) {
			return $out;
		}
		$lock = 'session_warden_index:' . substr( md5( $wpdb->dbname . "\0" . $wpdb->base_prefix ), 0, 20 );
		if ( '1' !== (string) $wpdb->get_var( $wpdb->prepare( 'SELECT GET_LOCK(%s, 0)', $lock ) ) ) {
			$out['busy'] = true;
			return $out;
		}
		try {
			self::walk( $batch, $out );
		} finally {
			$wpdb->query( $wpdb->prepare( 'SELECT RELEASE_LOCK(%s)', $lock ) );
		}
		$out['seconds'] = round( microtime( true ) - $t0, 3 );
		update_site_option( 'session_warden_sessions_rebuilt', time() );
		return $out;
	}

	/**
	 * The rebuild's walk over every user with sessions.
	 *
	 * @param int   $batch Users per batch.
	 * @param array $out   Counters, updated.
	 */
	private static function walk( int $batch, array &$out ): void {
		self::prune();
		$store = new Session_Store();
		$after = 0;
		do {
			$ids = $store->users_with_sessions_after( $after, $batch );
			if ( $ids ) {
				$synced = self::sync_users( $ids );
				$out['users'] += count( $ids );
				foreach ( $synced['sessions'] as $sessions ) {
					$out['sessions'] += count( $sessions );
				}
				self::forget_users( $ids );
			}
			$upto            = $ids && count( $ids ) === $batch ? max( $ids ) : PHP_INT_MAX;
			$out['removed'] += self::remove_others( $after, $upto, $ids );
			$after           = $upto;
		} while ( PHP_INT_MAX !== $after );
	}

	/**
	 * Deletes the rows of users in (after, upto] who are not among $keep (they have no sessions any more).
	 *
	 * @param int   $after Range start (exclusive).
	 * @param int   $upto  Range end (inclusive).
	 * @param int[] $keep  Users with sessions in that range.
	 * @return int Session rows deleted.
	 */
	private static function remove_others( int $after, int $upto, array $keep ): int {
		global $wpdb;
		$not = $keep ? ' AND user_id NOT IN (' . implode( ',', array_map( 'intval', $keep ) ) . ')' : '';
		$end = PHP_INT_MAX === $upto ? '' : ' AND user_id <= ' . $upto;
		// phpcs:disable WordPress.DB.PreparedSQL.InterpolatedNotPrepared,WordPress.DB.PreparedSQL.NotPrepared -- table names are ours, values integers.
		$removed = (int) $wpdb->query( 'DELETE FROM ' . self::table() . ' WHERE user_id > ' . $after . $end . $not );
		$wpdb->query( 'DELETE FROM ' . self::users_table() . ' WHERE user_id > ' . $after . $end . $not );
		// phpcs:enable
		return $removed;
	}

	/** Cron: the one-off rebuild event. */
	public static function scheduled_rebuild(): void {
		self::rebuild();
	}

	/**
	 * Activation: a small site is indexed at once; a large one (more than $inline users with sessions)
	 * in a cron run just after, so activating the plugin stays quick.
	 *
	 * @param int $inline Most users rebuilt inside the activation request.
	 */
	public static function build_after_activation( int $inline = 2000 ): void {
		if ( count( ( new Session_Store() )->users_with_sessions_after( 0, $inline + 1 ) ) > $inline ) {
			self::schedule_rebuild();
			return;
		}
		self::rebuild();
	}

	/** Asks cron for a rebuild soon (once, however often it is asked). */
	public static function schedule_rebuild(): void {
		if ( false === wp_next_scheduled( self::REBUILD_HOOK ) ) {
			wp_schedule_single_event( time(), self::REBUILD_HOOK );
		}
	}

	/**
	 * Rebuilds now when the table is empty while users have sessions (a schema change, or a table emptied
	 * by hand), unless cron is about to (activation of a large site, upgrade): then the page shows what
	 * there is, and the index fills within moments.
	 *
	 * @return bool Whether a rebuild ran.
	 */
	public static function ensure_filled(): bool {
		global $wpdb;
		if ( ! self::maybe_upgrade() || false !== wp_next_scheduled( self::REBUILD_HOOK ) ) {
			return false;
		}
		$table = self::table();
		if ( null !== $wpdb->get_var( "SELECT id FROM {$table} LIMIT 1" ) ) { // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
			return false;
		}
		if ( ! ( new Session_Store() )->users_with_sessions_after( 0, 1 ) ) {
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
	 * The page is found as ids first (off the sort key, without reading rows it skips), then its rows are
	 * read by primary key. A search is the union of two cheap scans, the `ip` key and the per-user table,
	 * rather than one OR across both tables, which no key can serve.
	 *
	 * @param array $q Normalised arguments: user, role, country, device_class, flag, search, orderby
	 *                 (login|last_activity), order (ASC|DESC), per_page, page.
	 * @return array{rows: array[], total: int}
	 */
	public static function search( array $q ): array {
		global $wpdb;
		$table  = self::table();
		$people = self::users_table();
		$column = 'login' === $q['orderby'] ? 'login' : 'activity';
		$dir    = 'ASC' === $q['order'] ? 'ASC' : 'DESC';

		// phpcs:disable WordPress.DB.PreparedSQL.InterpolatedNotPrepared,WordPress.DB.PreparedSQL.NotPrepared -- table and column names are ours; every value goes through prepare().
		$limit = $wpdb->prepare( 'LIMIT %d OFFSET %d', $q['per_page'], ( $q['page'] - 1 ) * $q['per_page'] );
		if ( '' === $q['search'] ) {
			$from  = "{$table} i WHERE " . self::where( $q, 'i' );
			$ids   = $wpdb->get_col( "SELECT i.id FROM {$from} ORDER BY i.{$column} {$dir}, i.id {$dir} {$limit}" );
			$total = (int) $wpdb->get_var( "SELECT COUNT(*) FROM {$from}" );
		} else {
			// Two halves: the IP (its own key) and the user's login, e-mail or display name (the small per-user
			// table). A search that cannot be part of an address skips the IP half; otherwise the user half
			// leaves out what the IP half found, so the halves need no de-duplication. Up to DENSE matches are
			// read in one pass, then sorted and counted here; more (a search matching most users) are counted,
			// and the page is read in sort-key order until it is full, which stops after a few rows instead of
			// sorting them all.
			$like  = '%' . $wpdb->esc_like( $q['search'] ) . '%';
			$where = self::where( $q, 's' );
			$named = $wpdb->prepare( '(p.user_login LIKE %s OR p.user_email LIKE %s OR p.display_name LIKE %s)', $like, $like, $like );
			$users = "FROM {$people} p INNER JOIN {$table} s ON s.user_id = p.user_id WHERE {$named} AND {$where}";
			$by_ip = (bool) preg_match( '/^[0-9A-Fa-f.:]+$/', $q['search'] );
			if ( $by_ip ) {
				$union = $wpdb->prepare(
					"SELECT s.id, s.{$column} AS k FROM {$table} s WHERE s.ip LIKE %s AND {$where}
					UNION ALL
					SELECT s.id, s.{$column} AS k {$users} AND s.ip NOT LIKE %s",
					$like,
					$like
				);
			} else {
				$union = "SELECT s.id, s.{$column} AS k {$users}";
			}
			$matches = $wpdb->get_results( "SELECT m.id, m.k FROM ({$union}) m LIMIT " . ( self::DENSE + 1 ), ARRAY_N );
			$matches = is_array( $matches ) ? $matches : array();
			if ( count( $matches ) <= self::DENSE ) {
				// Few: every match is here already; sorted and cut to the page in PHP, with no second pass.
				$total = count( $matches );
				$sign  = 'ASC' === $dir ? 1 : -1;
				usort( $matches, static fn ( array $x, array $y ): int => $sign * ( array( (int) $x[1], (int) $x[0] ) <=> array( (int) $y[1], (int) $y[0] ) ) );
				$ids = array_column( array_slice( $matches, ( $q['page'] - 1 ) * $q['per_page'], $q['per_page'] ), 0 );
			} else {
				$total = (int) $wpdb->get_var( "SELECT COUNT(*) FROM ({$union}) m" );
				$join  = $by_ip ? 'LEFT JOIN' : 'INNER JOIN';
				$cond  = $by_ip ? $wpdb->prepare( "(s.ip LIKE %s OR {$named})", $like ) : $named;
				$ids   = $wpdb->get_col( "SELECT STRAIGHT_JOIN s.id FROM {$table} s FORCE INDEX ({$column}) {$join} {$people} p ON p.user_id = s.user_id WHERE {$cond} AND {$where} ORDER BY s.{$column} {$dir}, s.id {$dir} {$limit}" );
			}
		}
		$rows  = array();
		if ( $ids ) {
			$found = $wpdb->get_results( "SELECT * FROM {$table} WHERE id IN (" . implode( ',', array_map( 'intval', $ids ) ) . ')', OBJECT_K );
			foreach ( $ids as $id ) {
				if ( isset( $found[ $id ] ) ) {
					$rows[] = (array) $found[ $id ];
				}
			}
		}
		// phpcs:enable
		return array(
			'rows'  => $rows,
			'total' => $total,
		);
	}

	/**
	 * The filter conditions on the sessions table under an alias, values already in place.
	 *
	 * @param array  $q     Normalised arguments.
	 * @param string $alias Table alias.
	 */
	private static function where( array $q, string $alias ): string {
		global $wpdb;
		$where = array( '1=1' );
		if ( $q['user'] > 0 ) {
			$where[] = $wpdb->prepare( "{$alias}.user_id = %d", $q['user'] );
		}
		if ( '' !== $q['country'] ) {
			$where[] = $wpdb->prepare( "{$alias}.country = %s", $q['country'] );
		}
		if ( '' !== $q['device_class'] ) {
			$where[] = $wpdb->prepare( "{$alias}.device_class = %s", $q['device_class'] );
		}
		if ( '' !== $q['flag'] ) {
			$where[] = $wpdb->prepare( "({$alias}.flag_bits & %d) <> 0", self::FLAG_BITS[ $q['flag'] ] );
		}
		if ( '' !== $q['role'] ) {
			// Roles on the current site (see roles()). A LIKE on the row itself: the first page of a common
			// role is found at the top of the sort key, and a rare one costs one scan, as does its count.
			$where[] = $wpdb->prepare(
				"{$alias}.roles LIKE %s", // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
				'%' . $wpdb->esc_like( '|' . get_current_blog_id() . ':' . $q['role'] . '|' ) . '%'
			);
		}
		return implode( ' AND ', $where );
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
