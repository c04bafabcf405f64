<?php
/**
 * Sessions → Settings: the screen where a site owner edits the whole settings document, and tries it in
 * the policy simulator before saving. On multisite the same screen is in the network admin (the
 * network's document) and on each site (the site's own document, or the network's until the site saves).
 *
 * The page is a React app built with @wordpress/scripts (assets-src/settings → assets/settings) on
 * WordPress's own wp-components and wp-element; this class registers the page, checks the capability and
 * hands the app its starting data. Saving and every other action go through Rest_Settings.
 *
 * @package SessionWarden
 */

namespace SessionWarden;

final class Settings_Screen {

	public const SLUG   = 'session-warden-settings';
	public const PARENT = 'session-warden';
	public const HANDLE = 'session-warden-settings';

	/** `admin_menu` (priority 20, after the Sessions menu exists). */
	public static function add_page(): void {
		self::hook_load(
			add_submenu_page(
				self::parent(),
				__( 'Session Warden Settings', 'session-warden' ),
				self::PARENT === self::parent() ? __( 'Settings', 'session-warden' ) : __( 'Session Warden', 'session-warden' ),
				'manage_options',
				self::SLUG,
				array( self::class, 'render' )
			)
		);
	}

	/** `network_admin_menu` (priority 20). */
	public static function add_network_page(): void {
		self::hook_load(
			add_submenu_page(
				self::parent(),
				__( 'Session Warden Settings', 'session-warden' ),
				// Under the network's Settings menu a bare "Settings" would say nothing.
				self::PARENT === self::parent() ? __( 'Settings', 'session-warden' ) : __( 'Session Warden', 'session-warden' ),
				'manage_network_options',
				self::SLUG,
				array( self::class, 'render' )
			)
		);
	}

	/**
	 * The Sessions menu when it is there; otherwise (the Sessions screen switched off by a filter, or an
	 * admin where it is not registered) Settings, so the screen is never unreachable.
	 */
	private static function parent(): string {
		global $admin_page_hooks;
		if ( ! empty( $admin_page_hooks[ self::PARENT ] ) ) {
			return self::PARENT;
		}
		return is_network_admin() ? 'settings.php' : 'options-general.php';
	}

	/**
	 * @param string|false $hook Page hook suffix.
	 */
	private static function hook_load( $hook ): void {
		if ( $hook ) {
			add_action( 'load-' . $hook, array( self::class, 'load' ) );
		}
	}

	/** The screen's URL in the current admin (or the network admin with $network). */
	public static function url( ?bool $network = null ): string {
		$network ??= is_network_admin();
		return $network ? network_admin_url( 'admin.php?page=' . self::SLUG ) : admin_url( 'admin.php?page=' . self::SLUG );
	}

	/** `load-{page}`: scripts, styles and the data the app starts from. */
	public static function load(): void {
		$asset_file = PLUGIN_DIR . 'assets/settings/index.asset.php';
		if ( ! is_readable( $asset_file ) ) {
			return; // render() explains.
		}
		$asset = require $asset_file;
		$base  = plugins_url( 'assets/settings/', PLUGIN_FILE );
		add_action(
			'admin_enqueue_scripts',
			static function () use ( $asset, $base ): void {
				wp_enqueue_script( self::HANDLE, $base . 'index.js', $asset['dependencies'], $asset['version'], true );
				wp_add_inline_script( self::HANDLE, 'window.sessionWardenSettings = ' . wp_json_encode( self::boot_data() ) . ';', 'before' );
				wp_set_script_translations( self::HANDLE, 'session-warden' );
				wp_enqueue_style( 'wp-components' );
				if ( is_readable( PLUGIN_DIR . 'assets/settings/index.css' ) ) {
					wp_enqueue_style( self::HANDLE, $base . 'index.css', array( 'wp-components' ), $asset['version'] );
					wp_style_add_data( self::HANDLE, 'rtl', 'replace' ); // index-rtl.css, built beside it.
				}
			}
		);
	}

	/** The page: a mount point for the app, and a message when scripts are off or the build is missing. */
	public static function render(): void {
		$network = is_network_admin();
		if ( ! current_user_can( $network ? 'manage_network_options' : 'manage_options' ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to manage the Session Warden settings.', 'session-warden' ), 403 );
		}
		echo '<div class="wrap session-warden-settings-wrap">';
		echo '<h1>' . esc_html( $network ? __( 'Session Warden Settings (network)', 'session-warden' ) : __( 'Session Warden Settings', 'session-warden' ) ) . '</h1>';
		if ( ! is_readable( PLUGIN_DIR . 'assets/settings/index.asset.php' ) ) {
			echo '<div class="notice notice-error"><p>' . esc_html__( 'The settings screen\'s scripts are missing from this copy of the plugin (assets/settings). Reinstall the plugin.', 'session-warden' ) . '</p></div>';
		}
		echo '<div id="session-warden-settings-root"><p class="session-warden-settings-loading">' . esc_html__( 'Loading the settings…', 'session-warden' ) . '</p></div>';
		echo '<noscript><div class="notice notice-warning"><p>' . esc_html__( 'The settings screen needs JavaScript.', 'session-warden' ) . '</p></div></noscript>';
		echo '</div>';
	}

	/** What the app starts from, so the first paint needs no REST round trip. */
	private static function boot_data(): array {
		$network = is_network_admin();
		$scope   = $network ? 'network' : 'site';
		$initial = Rest_Settings::describe( $scope );

		$roles = array();
		foreach ( wp_roles()->get_names() as $slug => $name ) {
			$roles[] = array(
				'slug' => $slug,
				'name' => translate_user_role( $name ),
			);
		}

		$web_js   = PLUGIN_DIR . 'assets/web/session_warden_web.js';
		$web_wasm = PLUGIN_DIR . 'assets/web/session_warden_web_bg.wasm';
		$export = add_query_arg(
			array(
				'scope'    => $scope,
				'_wpnonce' => wp_create_nonce( 'wp_rest' ),
			),
			rest_url( Rest_Settings::NAMESPACE . '/settings/export' )
		);

		return array(
			'scope'          => $scope,
			'initial'        => $initial,
			'roles'          => $roles,
			'users'          => self::user_labels( (array) $initial['settings'] ),
			'multisite'      => is_multisite(),
			'networkUrl'     => is_multisite() && current_user_can( 'manage_network_options' ) ? self::url( true ) : '',
			'exportUrl'      => $export,
			'engine'         => array(
				'pinned'   => Engine_Client::pinned_mode() ?? 'auto',
				'constant' => defined( 'SESSION_WARDEN_ENGINE_MODE' ),
				'panelUrl' => Engine_Panel::url(),
				'lastError' => Engine::last_error(),
			),
			'geoCanUpload'   => current_user_can( Geo_Upload::capability() ),
			'maxUpload'      => min( wp_max_upload_size(), Geo_Upload::MAX_BYTES ),
			// The browser engine for the simulator, loaded only when its tab opens. Both files carry the
			// same cache buster, so a browser never pairs a new module with a cached old .wasm.
			'web'            => is_readable( $web_js ) && is_readable( $web_wasm ) ? array(
				'module' => plugins_url( 'assets/web/session_warden_web.js', PLUGIN_FILE ) . '?ver=' . rawurlencode( self::web_version( $web_js, $web_wasm ) ),
				'wasm'   => plugins_url( 'assets/web/session_warden_web_bg.wasm', PLUGIN_FILE ) . '?ver=' . rawurlencode( self::web_version( $web_js, $web_wasm ) ),
			) : null,
			'userEditUrl'    => admin_url( 'user-edit.php?user_id=' ),
		);
	}

	/** One cache buster for the browser engine's two files: both change together. */
	private static function web_version( string $js, string $wasm ): string {
		return substr( md5( (string) filemtime( $js ) . ':' . (string) filesize( $wasm ) . ':' . (string) filemtime( $wasm ) ), 0, 12 );
	}

	/**
	 * Names for the users the settings mention (per-user rules, bypass), so the screen can show who user
	 * 17 is. Users the settings do not mention are not listed: a big site has too many.
	 *
	 * @param array $doc Settings document.
	 * @return array<string, string> User ID => "Display Name (login)".
	 */
	private static function user_labels( array $doc ): array {
		$ids = array();
		foreach ( (array) ( $doc['users'] ?? array() ) as $rule ) {
			$ids[] = (int) ( is_array( $rule ) ? ( $rule['user_id'] ?? 0 ) : 0 );
		}
		$bypass = (array) ( $doc['bypass'] ?? array() );
		foreach ( (array) ( $bypass['user_ids'] ?? array() ) as $id ) {
			$ids[] = (int) $id;
		}
		$ids    = array_values( array_unique( array_filter( $ids ) ) );
		$labels = array();
		if ( $ids ) {
			foreach ( get_users(
				array(
					'include' => array_slice( $ids, 0, 500 ),
					'blog_id' => 0,
					'fields'  => array( 'ID', 'user_login', 'display_name' ),
				)
			) as $user ) {
				$labels[ (string) $user->ID ] = $user->display_name === $user->user_login ? $user->user_login : $user->display_name . ' (' . $user->user_login . ')';
			}
		}
		return $labels;
	}
}
