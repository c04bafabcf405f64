<?php
/**
 * A password change or reset ends the user's other sessions (setting `password_change_logout`, on by
 * default).
 *
 * WordPress makes old cookies useless after a password change but leaves their sessions stored, where
 * they keep counting toward limits until they expire. They are removed here, through the session
 * manager. The session of the person changing their own password survives: core re-issues it.
 *
 * @package SessionWarden
 */

namespace SessionWarden;

final class Password_Watch {

	/** @var array<int, string> user ID => verifier of the session being re-issued in this request */
	private static array $replaced = array();

	/**
	 * @param int      $user_id  User ID.
	 * @param \WP_User $old_user The user before the update.
	 */
	public static function profile_updated( $user_id, $old_user = null ): void {
		$user = get_userdata( (int) $user_id );
		if ( ! $user instanceof \WP_User || ! $old_user instanceof \WP_User || $user->user_pass === $old_user->user_pass ) {
			return;
		}
		$keep = '';
		if ( get_current_user_id() === (int) $user_id ) {
			$token = wp_get_session_token();
			if ( '' !== $token ) {
				$keep = ( new Session_Store() )->verifier_for_token( $token );
				// WordPress before 6.3 then creates a brand-new session for the changer instead of reusing this
				// one (core trac #58427); Login_Guard removes this one first so it does not count twice.
				self::$replaced[ (int) $user_id ] = $keep;
			}
		}
		self::end_sessions( (int) $user_id, $keep );
	}

	/**
	 * @param \WP_User $user User whose password was reset (nobody is signed in on the reset screen).
	 */
	public static function password_reset( $user ): void {
		if ( $user instanceof \WP_User ) {
			self::end_sessions( (int) $user->ID, '' );
		}
	}

	/**
	 * The verifier of a session that a password change in this request is replacing, once.
	 *
	 * @param int $user_id User ID.
	 */
	public static function replaced_session( int $user_id ): ?string {
		$verifier = self::$replaced[ $user_id ] ?? null;
		unset( self::$replaced[ $user_id ] );
		// Only asked when a new session is being created; WordPress 6.3+ re-issues the same token without
		// creating one, so there this is never reached.
		return $verifier;
	}

	/**
	 * @param int    $user_id User ID.
	 * @param string $keep    Verifier to keep ('' for none).
	 */
	private static function end_sessions( int $user_id, string $keep ): void {
		if ( ! Settings::value( 'password_change_logout' ) ) {
			return;
		}
		$store  = new Session_Store();
		$end    = static function () use ( $store, $user_id, $keep ): array {
			$ended = array_diff_key( $store->all( $user_id ), array( $keep => true ) );
			$store->destroy_many( $user_id, array_map( 'strval', array_keys( $ended ) ) );
			return $ended;
		};
		$result = ( new User_Lock() )->with_lock( $user_id, $end );
		if ( is_wp_error( $result ) ) {
			// Another request holds the sessions; do it without the lock rather than leave old sessions alive.
			$result = $end();
		}
		foreach ( $result as $verifier => $record ) {
			Events::session_ended( $user_id, (string) $verifier, $record, 'password_change' );
		}
	}
}
