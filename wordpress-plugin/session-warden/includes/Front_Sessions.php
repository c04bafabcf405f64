<?php
/**
 * The visitor's own sessions on the front end: the dynamic block `session-warden/sessions` and the shortcode
 * `[session_warden_sessions style="default|minimal|compact"]`. Both render the same list (Session_View) and
 * show nothing to logged-out visitors.
 *
 * The block is dynamic (no saved markup): what it shows is per visitor and changes with every sign-in, so
 * it is rendered on each request and never cached in post content.
 *
 * @package SessionWarden
 */

namespace SessionWarden;

final class Front_Sessions {

	public const BLOCK     = 'session-warden/sessions';
	public const SHORTCODE = 'session_warden_sessions';
	public const STYLES    = array( 'default', 'minimal', 'compact' );

	/**
	 * The wp-admin screens with a block editor, the only admin pages that need the block type. Registering it
	 * reads block.json and registers its script and style: about 0.5 % of a signed-in wp-admin/ page's PHP
	 * work (0.38 M of ~70 M instructions, callgrind) that the dashboard and every other screen never use.
	 */
	private const EDITOR_SCREENS = array( 'post.php', 'post-new.php', 'site-editor.php', 'widgets.php', 'customize.php' );

	/** Handle of the editor script (plain JS on the wp.* globals: there is no build step). */
	public const EDITOR_SCRIPT = 'session-warden-sessions-editor';

	/**
	 * `init`: the block (from its block.json) and the shortcode; in wp-admin only on the editor screens, with
	 * the editor's script and style. Elsewhere nothing is registered up front: the first wp_register_script() or
	 * wp_register_style() of a request builds WordPress's whole default script and style registries (about
	 * 1 ms, measured), which a sign-in, a REST or an AJAX request never needs. A rendered list registers and
	 * enqueues its own assets (Session_View::enqueue()).
	 */
	public static function register(): void {
		// The sign-in screen, admin-ajax and cron never render post content (reading block.json costs ~0.2 ms).
		if ( 'wp-login.php' === ( $GLOBALS['pagenow'] ?? '' ) || wp_doing_ajax() || wp_doing_cron() ) {
			return;
		}
		add_shortcode( self::SHORTCODE, array( self::class, 'render_shortcode' ) );
		if ( is_admin() && ! in_array( $GLOBALS['pagenow'] ?? '', self::EDITOR_SCREENS, true ) ) {
			return;
		}
		if ( is_admin() ) {
			Session_View::register_assets();
			wp_register_script(
				self::EDITOR_SCRIPT,
				plugins_url( 'blocks/sessions/index.js', PLUGIN_FILE ),
				array( 'wp-blocks', 'wp-element', 'wp-block-editor', 'wp-components', 'wp-server-side-render', 'wp-i18n' ),
				Session_View::asset_version( 'blocks/sessions/index.js' ),
				true
			);
		}
		register_block_type(
			PLUGIN_DIR . 'blocks/sessions',
			array( 'render_callback' => array( self::class, 'render_block' ) )
		);
	}

	/**
	 * Block render callback.
	 *
	 * @param array $attributes Block attributes.
	 */
	public static function render_block( $attributes ): string {
		$attributes = is_array( $attributes ) ? $attributes : array();
		if ( ! is_user_logged_in() ) {
			return '';
		}
		return self::render( (string) ( $attributes['style'] ?? 'default' ), get_block_wrapper_attributes() );
	}

	/**
	 * Shortcode callback.
	 *
	 * @param array|string $atts Shortcode attributes ('' when none).
	 */
	public static function render_shortcode( $atts ): string {
		$atts = shortcode_atts( array( 'style' => 'default' ), is_array( $atts ) ? $atts : array(), self::SHORTCODE );
		return self::render( (string) $atts['style'] );
	}

	/**
	 * The signed-in visitor's sessions, or '' for a visitor who is not signed in.
	 *
	 * @param string $style      default | minimal | compact (anything else is default).
	 * @param string $attributes Wrapper attributes from the block, '' for the shortcode.
	 */
	public static function render( string $style, string $attributes = '' ): string {
		$user_id = get_current_user_id();
		if ( ! $user_id ) {
			return '';
		}
		$style = in_array( $style, self::STYLES, true ) ? $style : 'default';
		try {
			$items = Session_Directory::for_user( $user_id );
		} catch ( \Throwable $e ) {
			// Never break the page around the list: say it is unavailable, keep the details in the log.
			error_log( 'Session Warden: the sessions list could not be read: ' . $e->getMessage() ); // phpcs:ignore WordPress.PHP.DevelopmentFunctions.error_log_error_log
			return '<p class="sw-sessions sw-sessions--error">' . esc_html__( 'Your sessions cannot be shown right now.', 'session-warden' ) . '</p>';
		}
		Session_View::enqueue();
		return Session_View::render_list(
			$items,
			array(
				'style'      => $style,
				'user'       => 'me',
				'user_id'    => $user_id,
				// Stable per page view, so the no-JS fallback can come back to the same list.
				'id'         => wp_unique_id( 'sw-sessions-' ),
				'heading'    => 'minimal' !== $style,
				'attributes' => $attributes,
			)
		);
	}
}
