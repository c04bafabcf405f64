<?php
/**
 * Removes everything Session Warden stored, when the plugin is deleted (uninstall.php). Deactivation
 * keeps it all.
 *
 * What goes: the engine daemon the plugin started (if it did), every `session_warden_*` option, transient
 * and user meta (on multisite, on every site and in every network's options), the events table, the
 * sessions index table, the sessions capability of every role, the scheduled runs, and the
 * `session_warden` key inside each session record. The sessions themselves stay: nobody is logged out,
 * and core's keys (`expiration`, `ip`, `ua`, `login`) and other plugins' keys are left as they are.
 *
 * @package SessionWarden
 */

namespace SessionWarden;

final class Uninstaller {

	/** Option names (and user meta keys) the plugin owns, as a LIKE pattern. */
	private const LIKE = 'session\_warden\_%';

	/**
	 * Does the whole uninstall.
	 *
	 * @return array{sites: int, sessions: int} Sites cleaned and session records rewritten.
	 */
	public static function run(): array {
		self::stop_daemon();
		// The one-shot engines' note that the artifact was verified (see the engine's artifact.rs).
		$note = Daemon::run_dir() . '/artifact.verified';
		if ( is_file( $note ) ) {
			wp_delete_file( $note );
		}
		// Before the options go: the uploaded database's path is one of them.
		Geo_Upload::remove_everything();
		// Rewriting sessions below would otherwise write index rows (and re-create its table).
		Session_Index::suspend();

		$sites = 0;
		if ( is_multisite() ) {
			foreach ( get_sites(
				array(
					'fields' => 'ids',
					'number' => 0,
				)
			) as $site_id ) {
				switch_to_blog( (int) $site_id );
				try {
					self::clean_site();
				} finally {
					restore_current_blog();
				}
				++$sites;
			}
			self::clean_network_options();
		} else {
			self::clean_site();
			$sites = 1;
		}

		$sessions = self::clean_sessions();
		self::clean_user_meta();

		global $wpdb;
		$table = Events::table();
		$wpdb->query( "DROP TABLE IF EXISTS {$table}" ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared,WordPress.DB.DirectDatabaseQuery.SchemaChange -- our own table.
		Session_Index::drop();

		return array(
			'sites'    => $sites,
			'sessions' => $sessions,
		);
	}

	/**
	 * Stops the engine daemon the plugin itself started, if any (its marker option is about to go, and the
	 * process would otherwise outlive the plugin's files). A daemon the host runs is left alone.
	 */
	private static function stop_daemon(): void {
		try {
			if ( class_exists( Daemon::class ) && is_callable( array( Daemon::class, 'marker' ) ) && null !== Daemon::marker() ) {
				Daemon::stop();
			}
		} catch ( \Throwable $e ) {
			// Uninstalling goes on: leftover data would be worse than a daemon that stops with the server.
			error_log( 'Session Warden: uninstall could not stop the engine daemon: ' . $e->getMessage() ); // phpcs:ignore WordPress.PHP.DevelopmentFunctions.error_log_error_log
		}
	}

	/** The current site's scheduled run, options and transients. */
	private static function clean_site(): void {
		global $wpdb;
		wp_clear_scheduled_hook( Cron::HOOK );
		wp_clear_scheduled_hook( Session_Index::REBUILD_HOOK );
		Lifecycle::remove_capability();

		$names = $wpdb->get_col(
			$wpdb->prepare(
				"SELECT option_name FROM {$wpdb->options} WHERE option_name LIKE %s OR option_name LIKE %s OR option_name LIKE %s",
				self::LIKE,
				'\_transient\_' . self::LIKE,
				'\_transient\_timeout\_' . self::LIKE
			)
		);
		foreach ( $names as $name ) {
			delete_option( $name );
		}
	}

	/** Network options (`wp_sitemeta`) of every network. */
	private static function clean_network_options(): void {
		global $wpdb;
		$rows = $wpdb->get_results(
			$wpdb->prepare(
				"SELECT site_id, meta_key FROM {$wpdb->sitemeta} WHERE meta_key LIKE %s OR meta_key LIKE %s OR meta_key LIKE %s",
				self::LIKE,
				'\_site\_transient\_' . self::LIKE,
				'\_site\_transient\_timeout\_' . self::LIKE
			)
		);
		foreach ( is_array( $rows ) ? $rows : array() as $row ) {
			delete_network_option( (int) $row->site_id, $row->meta_key );
		}
	}

	/** User meta the plugin may have added under its own prefix. */
	private static function clean_user_meta(): void {
		global $wpdb;
		// Plain keys, and per-site user options (update_user_option() prefixes them with the site's table prefix).
		$keys = $wpdb->get_col(
			$wpdb->prepare(
				"SELECT DISTINCT meta_key FROM {$wpdb->usermeta} WHERE meta_key LIKE %s OR meta_key LIKE %s",
				self::LIKE,
				$wpdb->esc_like( $wpdb->base_prefix ) . '%' . self::LIKE
			)
		);
		foreach ( $keys as $key ) {
			delete_metadata( 'user', 0, $key, '', true );
		}
	}

	/**
	 * Takes the `session_warden` key out of every session of every user that has sessions, through the
	 * session manager (so custom backends and caches stay consistent).
	 *
	 * Sessions the backend already treats as expired are not returned to anyone and are not rewritten;
	 * core drops them (with their keys) on the user's next session write.
	 *
	 * @return int Session records rewritten.
	 */
	private static function clean_sessions(): int {
		$store  = new Session_Store();
		$lock   = new User_Lock();
		$count  = 0;
		$after  = 0;
		$batch  = 200;
		do {
			$ids = $store->users_with_sessions_after( $after, $batch );
			foreach ( $ids as $id ) {
				$after  = (int) $id;
				$strip  = static fn ( int $uid ): int => self::strip_user( $store, $uid );
				$result = $lock->with_lock( (int) $id, $strip );
				// A busy lock must not leave data behind: uninstalling is worth one unserialised write.
				$count += is_wp_error( $result ) ? $strip( (int) $id ) : (int) $result;
			}
		} while ( count( $ids ) === $batch );
		return $count;
	}

	/**
	 * Rewrites one user's sessions without the plugin's key.
	 *
	 * @param Session_Store $store   Store.
	 * @param int           $user_id User ID.
	 * @return int Records rewritten.
	 */
	private static function strip_user( Session_Store $store, int $user_id ): int {
		$count = 0;
		try {
			foreach ( $store->all( $user_id ) as $verifier => $record ) {
				if ( ! array_key_exists( Session_Record::KEY, $record ) ) {
					continue;
				}
				unset( $record[ Session_Record::KEY ] );
				try {
					$store->update( $user_id, (string) $verifier, $record );
					++$count;
				} catch ( \InvalidArgumentException $e ) {
					continue; // Ended meanwhile, or not a record core would keep: nothing of ours remains.
				}
			}
		} catch ( \InvalidArgumentException | \UnexpectedValueException $e ) {
			return $count; // The user is gone, or the session manager cannot be driven.
		}
		return $count;
	}
}
