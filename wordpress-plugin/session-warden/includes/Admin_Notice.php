<?php
/**
 * Tells administrators, for an hour, that the engine could not be reached, until they dismiss it.
 *
 * @package SessionWarden
 */

namespace SessionWarden;

/**
 * The warning is about Engine::last_error(). Dismissing records that error's time in the user's meta, so
 * the same failure never comes back for that user, while a later one does.
 */
final class Admin_Notice {

	/** User meta: the time of the last engine error this user dismissed. */
	public const DISMISSED_META = 'session_warden_engine_notice_dismissed';

	/** Query argument and nonce action of the Dismiss link (Plugin::boot() hooks dismiss() only when it is present). */
	public const DISMISS_ARG = 'session_warden_dismiss_engine_notice';

	/** How long an error is shown after it happened, in seconds. */
	public const SHOW_FOR = HOUR_IN_SECONDS;

	/**
	 * Error codes about one request rather than about reaching the engine: the engine answered, so no
	 * login went without a decision because of them.
	 */
	private const REQUEST_CODES = array( 'bad_json', 'bad_request', 'bad_version', 'too_large', 'unknown_op', 'bad_args', 'invalid_settings', 'geo_error' );

	/** The capability that sees the notice here: network admins in the network admin, else site admins. */
	private static function capability(): string {
		return is_network_admin() ? 'manage_network_options' : 'manage_options';
	}

	/**
	 * The error to show the current user now, or null: less than SHOW_FOR old, about reaching the
	 * engine, and not dismissed.
	 *
	 * @param int|null $now Unix time (tests).
	 */
	public static function current_error( ?int $now = null ): ?array {
		$error = Engine::last_error();
		if ( null === $error || ! is_user_logged_in() ) {
			return null;
		}
		$time = (int) ( $error['time'] ?? 0 );
		$age  = ( $now ?? time() ) - $time;
		if ( $age < 0 || $age >= self::SHOW_FOR || in_array( (string) ( $error['code'] ?? '' ), self::REQUEST_CODES, true ) ) {
			return null;
		}
		if ( (int) get_user_meta( get_current_user_id(), self::DISMISSED_META, true ) >= $time ) {
			return null;
		}
		return $error;
	}

	/** `admin_notices` / `network_admin_notices`. */
	public static function render(): void {
		if ( ! current_user_can( self::capability() ) ) {
			return;
		}
		$error = self::current_error();
		if ( null === $error ) {
			return;
		}
		$time    = (int) $error['time'];
		$panel   = is_network_admin()
			? network_admin_url( 'settings.php?page=' . Engine_Panel::SLUG )
			: admin_url( 'tools.php?page=' . Engine_Panel::SLUG );
		$where   = is_network_admin()
			? __( 'Settings → Session Warden Engine', 'session-warden' )
			: __( 'Tools → Session Warden Engine', 'session-warden' );
		$dismiss = wp_nonce_url( add_query_arg( self::DISMISS_ARG, $time ), self::DISMISS_ARG );
		$message = sprintf(
			/* translators: 1: date and time, 2: error code, 3: error message. */
			__( 'Session Warden could not reach its engine at %1$s (%2$s: %3$s). Logins were allowed (fail open) except for roles set to fail closed.', 'session-warden' ),
			wp_date( get_option( 'date_format' ) . ' ' . get_option( 'time_format' ), $time ),
			(string) ( $error['code'] ?? '' ),
			(string) ( $error['message'] ?? '' )
		);
		$see = sprintf(
			/* translators: %s: link to the engine status page, e.g. "Tools → Session Warden Engine". */
			esc_html__( 'See %s.', 'session-warden' ),
			'<a href="' . esc_url( $panel ) . '">' . esc_html( $where ) . '</a>'
		);
		printf(
			'<div class="notice notice-warning" id="session-warden-engine-notice"><p>%1$s %2$s</p><p><a href="%3$s" class="button button-secondary">%4$s</a></p></div>',
			esc_html( $message ),
			$see, // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped pieces above.
			esc_url( $dismiss ),
			esc_html__( 'Dismiss', 'session-warden' )
		);
	}

	/** `admin_init`: the Dismiss link (nonce, capability), then back to the page without it. */
	public static function dismiss(): void {
		if ( ! isset( $_GET[ self::DISMISS_ARG ] ) ) {
			return;
		}
		check_admin_referer( self::DISMISS_ARG );
		if ( ! current_user_can( self::capability() ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to do that.', 'session-warden' ), 403 );
		}
		$time = absint( wp_unslash( $_GET[ self::DISMISS_ARG ] ) );
		$was  = (int) get_user_meta( get_current_user_id(), self::DISMISSED_META, true );
		if ( $time > $was ) {
			update_user_meta( get_current_user_id(), self::DISMISSED_META, $time );
		}
		wp_safe_redirect( remove_query_arg( array( self::DISMISS_ARG, '_wpnonce' ) ) );
		exit;
	}
}
