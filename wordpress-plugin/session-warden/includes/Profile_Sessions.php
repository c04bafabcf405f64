<?php
/**
 * The "Sessions" section of a user profile: the user's live sessions (device, address, country, activity,
 * flags, which one is this browser) with End buttons and "sign out everywhere else".
 *
 * Shown on your own profile, and on another user's profile to users with Session_Directory::CAP who may
 * manage that user (Rest::may_manage_user(): on a network, not a super admin's for a site admin). The
 * section sits inside the profile form, where nested forms are not allowed, so the buttons are nonce'd
 * links to admin-post.php (Session_View::handle_end) which the shared script turns into REST calls.
 *
 * @package SessionWarden
 */

namespace SessionWarden;

final class Profile_Sessions {

	public const ANCHOR = 'sw-your-sessions';

	/**
	 * `show_user_profile` / `edit_user_profile`.
	 *
	 * @param \WP_User $user The user whose profile this is.
	 */
	public static function render( $user ): void {
		if ( ! $user instanceof \WP_User || ! $user->exists() ) {
			return;
		}
		$own = get_current_user_id() === (int) $user->ID;
		if ( ! $own && ! Rest::may_manage_user( (int) $user->ID ) ) {
			return;
		}
		try {
			$items = Session_Directory::for_user( (int) $user->ID );
		} catch ( \Throwable $e ) {
			echo '<h2>' . esc_html__( 'Sessions', 'session-warden' ) . '</h2><div class="notice notice-error inline"><p>'
				/* translators: %s: error message. */
				. esc_html( sprintf( __( 'The sessions cannot be shown: %s', 'session-warden' ), $e->getMessage() ) ) . '</p></div>';
			return;
		}
		Session_View::enqueue();

		$user_id = (int) $user->ID;
		$items   = Session_View::current_first( $items );
		$others  = count( array_filter( $items, static fn ( $item ) => empty( $item['current'] ) ) );
		?>
		<div id="<?php echo esc_attr( self::ANCHOR ); ?>" class="sw-sessions sw-sessions--profile" data-sw-sessions data-sw-user="<?php echo esc_attr( $own ? 'me' : (string) $user_id ); ?>">
			<h2><?php echo esc_html( $own ? __( 'Your sessions', 'session-warden' ) : __( 'Sessions', 'session-warden' ) ); ?> <span class="sw-count">(<span data-sw-count><?php echo esc_html( (string) count( $items ) ); ?></span>)</span></h2>
			<p class="description">
				<?php
				echo esc_html(
					$own
						? __( 'Every browser and device signed in to your account. End any you do not recognise, then change your password.', 'session-warden' )
						/* translators: %s: the user's display name. */
						: sprintf( __( 'Every browser and device signed in as %s. Ending a session signs that device out on its next request.', 'session-warden' ), $user->display_name )
				);
				?>
			</p>
			<p class="sw-sessions__status" role="status" aria-live="polite"><?php echo esc_html( Session_View::fallback_result_text() ); ?></p>
			<table class="widefat striped sw-sessions-table">
				<thead>
					<tr>
						<th scope="col"><?php esc_html_e( 'Device', 'session-warden' ); ?></th>
						<th scope="col"><?php esc_html_e( 'IP address', 'session-warden' ); ?></th>
						<th scope="col"><?php esc_html_e( 'Country', 'session-warden' ); ?></th>
						<th scope="col"><?php esc_html_e( 'Last activity', 'session-warden' ); ?></th>
						<th scope="col"><?php esc_html_e( 'Signed in', 'session-warden' ); ?></th>
						<th scope="col"><span class="screen-reader-text"><?php esc_html_e( 'Actions', 'session-warden' ); ?></span></th>
					</tr>
				</thead>
				<tbody>
					<?php foreach ( $items as $item ) : ?>
						<?php self::row( $item, $user_id ); ?>
					<?php endforeach; ?>
				</tbody>
			</table>
			<p class="sw-sessions__empty" data-sw-empty<?php echo $others ? ' hidden' : ''; ?>>
				<?php echo esc_html( $own ? __( 'You are not signed in anywhere else.', 'session-warden' ) : __( 'This user is not signed in anywhere.', 'session-warden' ) ); ?>
			</p>
			<p data-sw-others<?php echo $others ? '' : ' hidden'; ?>>
				<a class="button" role="button" href="<?php echo esc_url( Session_View::fallback_url( $user_id, '', self::ANCHOR ) ); ?>" data-sw-end-others>
					<?php echo esc_html( $own ? __( 'End all other sessions', 'session-warden' ) : __( 'End all sessions', 'session-warden' ) ); ?>
				</a>
			</p>
		</div>
		<?php
	}

	/**
	 * One table row.
	 *
	 * @param array $item    Session item.
	 * @param int   $user_id Owner.
	 */
	private static function row( array $item, int $user_id ): void {
		$sid     = (string) ( $item['id'] ?? '' );
		$current = ! empty( $item['current'] );
		?>
		<tr class="sw-session<?php echo $current ? ' is-current' : ''; ?>" data-sw-session="<?php echo esc_attr( $sid ); ?>">
			<td>
				<?php echo Session_View::device_html( $item ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped inside. ?>
				<?php if ( $current ) : ?>
					<span class="sw-badge sw-badge--current"><?php esc_html_e( 'This device', 'session-warden' ); ?></span>
				<?php endif; ?>
				<?php echo Session_View::flags_html( $item ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped inside. ?>
			</td>
			<td><code><?php echo esc_html( (string) ( $item['ip'] ?? '' ) ); ?></code></td>
			<td><?php echo Session_View::country_html( (string) ( $item['country'] ?? '' ) ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped inside. ?></td>
			<td><?php echo $current ? esc_html__( 'Active now', 'session-warden' ) : Session_View::ago_html( (int) ( $item['last_activity'] ?? 0 ) ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped inside. ?></td>
			<td><?php echo Session_View::ago_html( (int) ( $item['login'] ?? 0 ) ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped inside. ?></td>
			<td class="sw-session__action">
				<?php if ( $current ) : ?>
					<span class="description"><?php esc_html_e( 'Use Log Out to end this one', 'session-warden' ); ?></span>
				<?php else : ?>
					<a class="button button-small" role="button" href="<?php echo esc_url( Session_View::fallback_url( $user_id, $sid, self::ANCHOR ) ); ?>" data-sw-end="<?php echo esc_attr( $sid ); ?>"
						aria-label="<?php /* translators: %s: device, e.g. "Chrome 126 on Windows". */ echo esc_attr( sprintf( __( 'End the session on %s', 'session-warden' ), Session_View::device_label( $item ) ) ); ?>">
						<?php esc_html_e( 'End', 'session-warden' ); ?>
					</a>
				<?php endif; ?>
			</td>
		</tr>
		<?php
	}
}
