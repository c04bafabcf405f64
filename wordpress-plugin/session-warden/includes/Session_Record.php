<?php
/**
 * What Session Warden keeps inside a WordPress session record, and how a record is shown to the engine.
 *
 * Everything the plugin adds lives under one key, `session_warden`, next to core's `expiration`, `ip`,
 * `ua` and `login`, so uninstall can remove it in one step and other plugins' keys are never touched:
 *   ip            client address as the engine resolved it (core's `ip` is the raw REMOTE_ADDR)
 *   country       ISO code from the geo database, '' when unknown
 *   device        the engine's description of the User-Agent (browser, version, os, device_class, …, label)
 *   last_activity Unix time of the last recorded activity (writes are throttled)
 *   flags         suspicious-activity flags raised on this session (ip_shift, country_anomaly)
 *   kept          the last request verdict and the conditions under which it still holds
 *
 * @package SessionWarden
 */

namespace SessionWarden;

final class Session_Record {

	public const KEY = 'session_warden';

	/**
	 * The engine's `session` record for a stored session.
	 *
	 * @param string $verifier Session verifier.
	 * @param array  $record   Stored record.
	 */
	public static function to_engine( string $verifier, array $record ): array {
		$ours = self::ours( $record );
		return array(
			'verifier'      => $verifier,
			'login'         => max( 0, (int) ( $record['login'] ?? 0 ) ),
			'expiration'    => max( 0, (int) ( $record['expiration'] ?? 0 ) ),
			'last_activity' => max( 0, (int) ( $ours['last_activity'] ?? 0 ) ),
			'ip'            => (string) ( $ours['ip'] ?? ( $record['ip'] ?? '' ) ),
			'country'       => (string) ( $ours['country'] ?? '' ),
			'ua'            => (string) ( $record['ua'] ?? '' ),
			'flags'         => array_values( array_filter( (array) ( $ours['flags'] ?? array() ), 'is_string' ) ),
		);
	}

	/**
	 * Every session of a user in the engine's shape.
	 *
	 * @param array<string, array> $sessions Verifier => record, as Session_Store::all() returns them.
	 */
	public static function all_to_engine( array $sessions ): array {
		$out = array();
		foreach ( $sessions as $verifier => $record ) {
			$out[] = self::to_engine( (string) $verifier, $record );
		}
		return $out;
	}

	/**
	 * The plugin's part of a record (empty for sessions created before the plugin was active).
	 *
	 * @param array $record Stored record.
	 */
	public static function ours( array $record ): array {
		return is_array( $record[ self::KEY ] ?? null ) ? $record[ self::KEY ] : array();
	}

	/**
	 * The user facts the engine needs: ID and roles on the current site.
	 *
	 * @param \WP_User $user User.
	 */
	public static function user( \WP_User $user ): array {
		return array(
			'id'    => (int) $user->ID,
			'roles' => array_values( array_map( 'strval', (array) $user->roles ) ),
		);
	}
}
