<?php
/**
 * The shapes in which sessions and events leave the plugin (REST responses, WP-CLI output): exactly the
 * documented keys and nothing else, so a token, a verifier or any future internal field can never reach
 * a response by accident. One definition for every caller, so the REST API and WP-CLI cannot drift apart.
 *
 * @package SessionWarden
 */

namespace SessionWarden;

final class Public_Items {

	public const SESSION_KEYS = array( 'id', 'user', 'roles', 'login', 'expiration', 'last_activity', 'idle', 'ip', 'country', 'device', 'flags', 'current' );
	public const USER_KEYS    = array( 'id', 'login', 'display_name', 'avatar' );
	public const DEVICE_KEYS  = array( 'label', 'browser', 'version', 'os', 'device_class', 'device_type', 'client_type' );
	public const EVENT_KEYS   = array( 'id', 'time', 'site_id', 'user', 'type', 'reason', 'session', 'ip', 'country', 'device', 'data' );

	/** Keys removed from event data wherever they appear, at any depth. */
	private const SECRET_KEYS = array( 'verifier', 'token', 'session_token' );

	/**
	 * A session item with exactly SESSION_KEYS (nested user and device with theirs).
	 *
	 * @param array $item Item from Session_Directory.
	 */
	public static function session( array $item ): array {
		$out            = self::only( $item, self::SESSION_KEYS );
		$out['user']    = self::only( is_array( $out['user'] ) ? $out['user'] : array(), self::USER_KEYS );
		$out['device']  = self::only( is_array( $out['device'] ) ? $out['device'] : array(), self::DEVICE_KEYS );
		$out['roles']   = array_values( array_map( 'strval', (array) $out['roles'] ) );
		$out['flags']   = array_values( array_map( 'strval', (array) $out['flags'] ) );
		$out['current'] = (bool) $out['current'];
		return $out;
	}

	/**
	 * An event item: the user by ID and login, the session by its public id (never the verifier), data
	 * without secrets.
	 *
	 * @param array $event Event from Events::query().
	 */
	public static function event( array $event ): array {
		$user_id  = (int) ( $event['user_id'] ?? 0 );
		$user     = $user_id > 0 ? get_userdata( $user_id ) : false;
		$verifier = (string) ( $event['verifier'] ?? '' );
		return array(
			'id'      => (int) ( $event['id'] ?? 0 ),
			'time'    => (int) ( $event['created_at'] ?? 0 ),
			'site_id' => (int) ( $event['site_id'] ?? 0 ),
			'user'    => array(
				'id'           => $user_id,
				'login'        => $user ? (string) $user->user_login : null,
				'display_name' => $user ? (string) $user->display_name : null,
			),
			'type'    => (string) ( $event['type'] ?? '' ),
			'reason'  => (string) ( $event['reason'] ?? '' ),
			'session' => '' !== $verifier && $user_id > 0 ? Session_Id::make( $user_id, $verifier ) : null,
			'ip'      => (string) ( $event['ip'] ?? '' ),
			'country' => (string) ( $event['country'] ?? '' ),
			'device'  => (string) ( $event['device'] ?? '' ),
			'data'    => is_array( $event['data'] ?? null ) ? self::without_secrets( $event['data'] ) : null,
		);
	}

	/**
	 * The listed keys of an array, in that order, null where missing.
	 *
	 * @param array    $values Array.
	 * @param string[] $keys   Keys.
	 */
	public static function only( array $values, array $keys ): array {
		$out = array();
		foreach ( $keys as $key ) {
			$out[ $key ] = $values[ $key ] ?? null;
		}
		return $out;
	}

	/**
	 * @param array $data Event data.
	 */
	private static function without_secrets( array $data ): array {
		foreach ( $data as $key => $value ) {
			if ( is_string( $key ) && in_array( strtolower( $key ), self::SECRET_KEYS, true ) ) {
				unset( $data[ $key ] );
			} elseif ( is_array( $value ) ) {
				$data[ $key ] = self::without_secrets( $value );
			}
		}
		return $data;
	}
}
