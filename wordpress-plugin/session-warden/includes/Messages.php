<?php
/**
 * The words a visitor sees when Session Warden refuses a sign-in or has ended a session.
 *
 * The engine names a message by key (`message_key` in a rule); the text is chosen here so it can be
 * translated and changed by the site owner (option `session_warden_messages`, key => text) or by code
 * (`session_warden_block_message` filter).
 *
 * @package SessionWarden
 */

namespace SessionWarden;

final class Messages {

	public const OPTION = 'session_warden_messages';

	/**
	 * Text for a refusal.
	 *
	 * @param string        $key    Message key from the verdict (limit_reached, ip_blocked, a custom key…).
	 * @param string        $reason Engine reason (limit_user, ip_denied, …), for the filter.
	 * @param \WP_User|null $user   User, for the filter; null before the password is checked.
	 */
	public static function block( string $key, string $reason = '', ?\WP_User $user = null ): string {
		$builtin = array(
			'limit_reached' => __( 'You are already signed in on as many devices as your account allows. Sign out on one of them, then try again.', 'session-warden' ),
			'ip_blocked'    => __( 'Signing in is not allowed from your network. If you think this is a mistake, contact the site administrator.', 'session-warden' ),
			'unavailable'   => __( 'Signing in is temporarily unavailable for your account. Please try again in a few minutes.', 'session-warden' ),
		);
		$custom = get_option( self::OPTION );
		if ( is_array( $custom ) && isset( $custom[ $key ] ) && is_string( $custom[ $key ] ) && '' !== trim( $custom[ $key ] ) ) {
			$text = $custom[ $key ];
		} else {
			$text = $builtin[ $key ] ?? $builtin['limit_reached'];
		}
		/**
		 * Filters the message shown when a sign-in is refused.
		 *
		 * @param string        $text   Message (plain text; it is escaped when shown).
		 * @param string        $key    Message key.
		 * @param string        $reason Engine reason.
		 * @param \WP_User|null $user   User (null for the pre-password IP check).
		 */
		return (string) apply_filters( 'session_warden_block_message', $text, $key, $reason, $user );
	}

	/**
	 * Text for the login screen after a session was ended by a rule.
	 *
	 * @param string $reason idle | ip_changed | epoch | expired | …
	 */
	public static function ended( string $reason ): string {
		switch ( $reason ) {
			case 'idle':
				return __( 'You were signed out after a period of inactivity. Please sign in again.', 'session-warden' );
			case 'ip_changed':
				return __( 'You were signed out because your network address changed. Please sign in again.', 'session-warden' );
			case 'epoch':
				return __( 'The site administrator signed everyone out. Please sign in again.', 'session-warden' );
			case 'by_admin':
				return __( 'An administrator ended this session. Please sign in again.', 'session-warden' );
			case 'by_user':
				return __( 'You ended this session from another device. Please sign in again.', 'session-warden' );
			case 'password_change':
				return __( 'You were signed out because the password was changed. Please sign in again.', 'session-warden' );
			case 'max_ips':
				return __( 'You were signed out because you signed in from too many places at once. Please sign in again.', 'session-warden' );
			default:
				if ( str_starts_with( $reason, 'limit_' ) ) {
					return __( 'You were signed out because a newer sign-in went over the number of sessions allowed at once. Please sign in again.', 'session-warden' );
				}
				return __( 'Your session has ended. Please sign in again.', 'session-warden' );
		}
	}
}
