<?php
/**
 * The daily housekeeping run: prune the event log, then end sessions that have expired, gone idle or
 * predate the logout epoch even if their browser never comes back to notice, then rebuild the sessions
 * index from the session manager.
 *
 * Scheduled once, on the site where the plugin is activated (on a network, the main site when it is
 * network-activated): the events table and the sessions are network-wide, so one run covers them all.
 *
 * @package SessionWarden
 */

namespace SessionWarden;

final class Cron {

	/** The daily event. Plugin::boot() hooks daily() on it by this name written out, so this file loads only when it runs. */
	public const HOOK = 'session_warden_daily';

	/** Schedules the daily run unless it already is (activation). */
	public static function schedule(): void {
		if ( false === wp_next_scheduled( self::HOOK ) ) {
			wp_schedule_event( time() + HOUR_IN_SECONDS, 'daily', self::HOOK );
		}
	}

	/** Removes every scheduled run (deactivation and uninstall). */
	public static function unschedule(): void {
		wp_clear_scheduled_hook( self::HOOK );
	}

	/**
	 * The scheduled work.
	 *
	 * @return array{pruned: int, sweep: array, index: array} What was done, for WP-CLI and tests.
	 */
	public static function daily(): array {
		$pruned = Events::prune( (int) Settings::value( 'retention_days' ) );
		$sweep  = Sweeper::run();
		// After the sweep, so the sessions it ended are gone from the index too; repairs whatever the hooks
		// missed (sessions created or ended by other code, a custom session backend's own expiry).
		$index = Session_Index::rebuild();
		return array(
			'pruned' => $pruned,
			'sweep'  => $sweep,
			'index'  => $index,
		);
	}
}
