<?php
/**
 * The public name of one session: what screens, REST, WP-CLI and the index use instead of the token or
 * the verifier.
 *
 * The raw token is the login secret; the verifier is its SHA-256 and is what WordPress keys a session by.
 * Neither may reach a browser. An id is `{user_id}-{32 hex}`: the user (so resolve() reads one user's
 * sessions only) and a keyed hash of the verifier, keyed with the site's auth salt, so an id cannot be
 * turned back into a verifier and cannot be forged for a session one has not been shown. Ids change when
 * the salts are rotated (which also logs everyone out, so nothing of value is lost).
 *
 * @package SessionWarden
 */

namespace SessionWarden;

final class Session_Id {

	/** Hex characters of the keyed hash kept in an id (128 bits). */
	public const HASH_LENGTH = 32;

	/** What every id looks like. */
	public const PATTERN = '/^([1-9][0-9]{0,19})-([0-9a-f]{32})$/';

	/**
	 * @param int    $user_id  Session owner.
	 * @param string $verifier Session verifier (as Session_Store keys sessions).
	 * @return string URL-safe id (digits, `-`, lower-case hex).
	 * @throws \InvalidArgumentException For a bad user ID.
	 */
	public static function make( int $user_id, string $verifier ): string {
		if ( $user_id <= 0 ) {
			throw new \InvalidArgumentException( sprintf( 'Not a user ID: %d.', $user_id ) );
		}
		return $user_id . '-' . self::hash( $user_id, strtolower( $verifier ) );
	}

	/**
	 * The keyed hash part alone (the index stores it next to the user ID).
	 *
	 * @param int    $user_id  Session owner.
	 * @param string $verifier Session verifier.
	 */
	public static function hash( int $user_id, string $verifier ): string {
		return substr( hash_hmac( 'sha256', 'session-warden-id|' . $user_id . '|' . $verifier, self::key() ), 0, self::HASH_LENGTH );
	}

	/**
	 * Splits an id without looking the session up.
	 *
	 * @param string $id Candidate id.
	 * @return array{user_id:int, hash:string}|null Null when it is not shaped like an id.
	 */
	public static function parse( string $id ): ?array {
		if ( ! preg_match( self::PATTERN, trim( $id ), $m ) ) {
			return null;
		}
		return array(
			'user_id' => (int) $m[1],
			'hash'    => $m[2],
		);
	}

	/**
	 * Finds the session an id names, among its owner's live sessions.
	 *
	 * @param string $id Session id.
	 * @return array{user_id:int, verifier:string}|null Null when malformed, unknown or already ended.
	 */
	public static function resolve( string $id ): ?array {
		$parts = self::parse( $id );
		if ( null === $parts || ! get_userdata( $parts['user_id'] ) ) {
			return null;
		}
		try {
			$sessions = ( new Session_Store() )->all( $parts['user_id'] );
		} catch ( \InvalidArgumentException | \UnexpectedValueException $e ) {
			return null;
		}
		$now = time();
		foreach ( $sessions as $verifier => $record ) {
			$verifier = (string) $verifier;
			if ( hash_equals( self::hash( $parts['user_id'], $verifier ), $parts['hash'] ) ) {
				// A custom backend may still return an expired record; it is not a live session.
				if ( isset( $record['expiration'] ) && (int) $record['expiration'] < $now ) {
					return null;
				}
				return array(
					'user_id'  => $parts['user_id'],
					'verifier' => $verifier,
				);
			}
		}
		return null;
	}

	/**
	 * The id of the session making this request.
	 *
	 * @return string|null Null when nobody is signed in, or the request carries no cookie session
	 *                     (application passwords, WP-CLI).
	 */
	public static function current(): ?string {
		$user_id = get_current_user_id();
		if ( $user_id <= 0 || ! function_exists( 'wp_get_session_token' ) ) {
			return null;
		}
		$token = (string) wp_get_session_token();
		if ( '' === $token ) {
			return null;
		}
		return self::make( $user_id, ( new Session_Store() )->verifier_for_token( $token ) );
	}

	/** The HMAC key: derived from the auth salt, so it is secret, per site, and never stored by the plugin. */
	private static function key(): string {
		static $key = null;
		if ( null === $key ) {
			$key = hash( 'sha256', 'session-warden|' . wp_salt( 'auth' ), true );
		}
		return $key;
	}
}
