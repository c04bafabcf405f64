<?php
/**
 * Wires every part of the plugin to WordPress: this class says which class listens where, and each of
 * those classes owns one WordPress concern.
 *
 * Hooks are added with class-name callables, so a class is loaded only when its hook fires: a page view
 * with a kept verdict loads the request guard and nothing of the login, cron or admin code.
 *
 * @package SessionWarden
 */

namespace SessionWarden;

final class Plugin {

	private static bool $booted = false;

	public static function boot(): void {
		if ( self::$booted ) {
			return;
		}
		self::$booted = true;

		Events::maybe_upgrade();

		// Sign-in (Login_Guard): before the password, after it, while the session is built, once it is stored.
		add_filter( 'wp_authenticate_user', array( Login_Guard::class, 'gate' ), 99, 2 );
		add_filter( 'authenticate', array( Login_Guard::class, 'admit' ), 100, 3 );
		add_filter( 'attach_session_information', array( Login_Guard::class, 'attach' ), 10, 2 );
		add_action( 'set_logged_in_cookie', array( Login_Guard::class, 'written' ), 10, 6 );
		add_filter( 'send_auth_cookies', array( Login_Guard::class, 'send_cookies' ), 99 );
		add_action( 'wp_login_failed', array( Login_Guard::class, 'failed' ), 10, 2 );

		// Every signed-in request (Session_Guard), after core validated the cookie (priorities 10 and 20).
		add_filter( 'determine_current_user', array( Session_Guard::class, 'check' ), 30 );
		add_filter( 'login_message', array( Session_Guard::class, 'login_message' ) );

		// Password changes and resets (Password_Watch).
		add_action( 'profile_update', array( Password_Watch::class, 'profile_updated' ), 10, 2 );
		add_action( 'after_password_reset', array( Password_Watch::class, 'password_reset' ), 10, 1 );

		// Daily upkeep (Cron). The hook's name is Cron::HOOK, written out so Cron.php loads only when it runs.
		add_action( 'session_warden_daily', array( Cron::class, 'daily' ) );

		// The engine daemon the plugin itself started (Daemon): found through the socket filter, and
		// restarted (throttled) when it stops answering.
		add_filter( 'session_warden_engine_socket', array( Daemon::class, 'filter_socket' ) );
		add_action( 'session_warden_daemon_unreachable', array( Daemon::class, 'queue_ensure' ) );

		// The sessions index (Session_Index), a searchable copy of every live session for the Sessions
		// screen: kept in step when the plugin writes or ends a session, when a session is created, on
		// core's logout, a site-wide logout, user changes and deletion, and rebuilt by cron. All rare events.
		// [sessions-core]
		// A sign-in form posted to wp-login.php: with one-shot engine processes, the process for its
		// question starts now and loads while WordPress does (Login_Guard::posted()).
		if ( isset( $_POST['log'], $_POST['pwd'] ) ) { // phpcs:ignore WordPress.Security.NonceVerification.Missing -- only whether a form was posted.
			Login_Guard::posted();
		}
		add_action( 'session_warden_session_written', array( Session_Index::class, 'written' ), 10, 3 );
		add_action( 'session_warden_sessions_destroyed', array( Session_Index::class, 'destroyed' ), 10, 2 );
		add_action( 'session_warden_end_all_sessions', array( Session_Index::class, 'epoch_moved' ) );
		add_filter( 'attach_session_information', array( Session_Index::class, 'creating' ), 1000, 2 );
		add_action( 'set_logged_in_cookie', array( Session_Index::class, 'logged_in' ), 20, 6 );
		foreach ( array( 'wp_logout', 'profile_update', 'set_user_role', 'add_user_role', 'remove_user_role', 'add_user_to_blog', 'remove_user_from_blog' ) as $sw_user_hook ) {
			add_action( $sw_user_hook, array( Session_Index::class, 'user_changed' ) );
		}
		add_action( 'deleted_user', array( Session_Index::class, 'user_deleted' ) );
		add_action( 'session_warden_index_rebuild', array( Session_Index::class, 'scheduled_rebuild' ) );
		add_action( 'upgrader_process_complete', array( Lifecycle::class, 'upgraded' ), 10, 2 );
		add_action( 'wp_initialize_site', array( Lifecycle::class, 'site_created' ), 20 );
		// [/sessions-core]

		// REST namespace session-warden/v1.
		// [rest]
		add_action( 'rest_api_init', array( Rest::class, 'register_routes' ) );
		// [/rest]
		// Settings routes (Rest_Settings) and the uploaded country database (Geo_Upload), which the engine
		// client reads through its filter on every site, not only in wp-admin.
		// [settings-rest]
		add_action( 'rest_api_init', array( Rest_Settings::class, 'register_routes' ) );
		add_filter( 'session_warden_geo_db', array( Geo_Upload::class, 'filter_db' ) );
		// [/settings-rest]

		// Front end and profile: the "your sessions" block, shortcode and profile section.
		// [front]
		add_action( 'init', array( Front_Sessions::class, 'register' ) );
		add_action( 'show_user_profile', array( Profile_Sessions::class, 'render' ) );
		add_action( 'edit_user_profile', array( Profile_Sessions::class, 'render' ) );
		if ( is_admin() ) { // admin-post.php.
			add_action( 'admin_post_session_warden_end_session', array( Session_View::class, 'handle_end' ) );
		}
		// [/front]

		// Real-time logout, idle warning and emails.
		// [live]
		// Live_Session: heartbeat and script on signed-in pages; the two ways a request learns that the
		// session behind its cookie was ended (core's bad-session-token action, our own session_ended event).
		// Each of the two enqueue actions fires on one side only.
		if ( is_admin() ) {
			add_action( 'admin_enqueue_scripts', array( Live_Session::class, 'enqueue_admin' ) );
		} else {
			add_action( 'wp_enqueue_scripts', array( Live_Session::class, 'enqueue_front' ) );
		}
		add_action( 'auth_cookie_bad_session_token', array( Live_Session::class, 'bad_session_token' ) );
		add_action( 'session_warden_event_session_ended', array( Live_Session::class, 'session_ended' ) );
		if ( wp_doing_ajax() ) { // The heartbeat and "Stay signed in" are admin-ajax.php requests.
			add_filter( 'heartbeat_received', array( Live_Session::class, 'heartbeat' ), 10, 2 );
			add_filter( 'heartbeat_nopriv_received', array( Live_Session::class, 'heartbeat_signed_out' ), 10, 2 );
			add_filter( 'heartbeat_nopriv_send', array( Live_Session::class, 'suppress_auth_check' ), 100 );
			add_action( 'wp_ajax_session_warden_stay', array( Live_Session::class, 'stay' ) ); // Live_Session::STAY_ACTION
		}
		// Notifications: e-mails about limit endings and flags, when the settings turn them on.
		// Only the two event types an e-mail can be about: a sign-in's session_created then loads nothing.
		add_action( 'session_warden_event_session_ended', array( Notifications::class, 'session_ended' ) );
		add_action( 'session_warden_event_flag_raised', array( Notifications::class, 'flag_raised' ) );
		// [/live]

		// WP-CLI `wp session-warden`.
		// [cli]
		if ( defined( 'WP_CLI' ) && WP_CLI ) {
			Cli::register();
		}
		// [/cli]

		if ( is_admin() ) {
			// The network admin runs the network_admin_* actions, every other admin the site ones, so only
			// those of this admin are added.
			$network = is_network_admin();
			// The engine warning (Admin_Notice); its Dismiss link (Admin_Notice::DISMISS_ARG) is only looked
			// for when the request carries it.
			add_action( $network ? 'network_admin_notices' : 'admin_notices', array( Admin_Notice::class, 'render' ) );
			if ( isset( $_GET['session_warden_dismiss_engine_notice'] ) ) { // phpcs:ignore WordPress.Security.NonceVerification.Recommended -- Admin_Notice::dismiss() checks the nonce.
				add_action( 'admin_init', array( Admin_Notice::class, 'dismiss' ) );
			}
			// The plugin's screens: Tools → Session Warden Engine (Engine_Panel), Sessions (Sessions_Screen)
			// and Sessions → Settings (Settings_Screen). In a site's admin they are registered only for a user
			// who can open one of them (see admin_menu()); the network admin is for super admins.
			if ( $network ) {
				add_action( 'network_admin_menu', array( Engine_Panel::class, 'add_network_page' ) );
			} else {
				add_action( 'admin_menu', array( self::class, 'admin_menu' ), 0 );
			}
			// Liveness check of the daemon the plugin started; never where the host runs its own
			// (SESSION_WARDEN_ENGINE_SOCKET, Daemon::host_managed()).
			if ( ! defined( 'SESSION_WARDEN_ENGINE_SOCKET' ) ) {
				add_action( 'admin_init', array( Daemon::class, 'admin_check' ) );
			}
			// Sessions screen (site and network admin).
			// [sessions-screen]
			if ( $network ) {
				add_action( 'network_admin_menu', array( Sessions_Screen::class, 'add_network_page' ) );
			}
			// Saved by set_screen_options(), which runs before admin_init and only for a posted form.
			if ( isset( $_POST['wp_screen_options'] ) ) { // phpcs:ignore WordPress.Security.NonceVerification.Missing -- set_screen_options() checks the nonce.
				add_filter( 'set_screen_option_session_warden_sessions_per_page', array( Sessions_Screen::class, 'save_per_page' ), 10, 3 );
			}
			// [/sessions-screen]
			// Settings screen and simulator (site and network admin).
			// [settings-screen]
			if ( $network ) {
				add_action( 'network_admin_menu', array( Settings_Screen::class, 'add_network_page' ), 20 );
			}
			// [/settings-screen]
		}
	}

	/**
	 * `admin_menu` (priority 0): adds the hooks that register the plugin's screens in a site's admin, for a
	 * user who can open at least one of them, or on any plugin screen (`page` argument), so that a user
	 * without the capability who opens one of ours is refused by WordPress exactly as before. Every other
	 * page view of, say, an editor skips the registrations, which cost about 0.25 M instructions (WordPress
	 * resolves each page's hook name and parent) only for WordPress to drop the entries again.
	 */
	public static function admin_menu(): void {
		if ( ! self::may_see_screens() ) {
			return;
		}
		add_action( 'admin_menu', array( Engine_Panel::class, 'add_page' ) );
		add_action( 'admin_menu', array( Sessions_Screen::class, 'add_page' ) );
		add_action( 'admin_menu', array( Settings_Screen::class, 'add_page' ), 20 );
	}

	/**
	 * Whether the current user may see one of the plugin's screens: the Sessions screen needs
	 * Session_Directory::CAP, Settings and the engine panel `manage_options` (the Settings item lives under
	 * the Sessions menu, so a user who has only `manage_options` needs that menu too).
	 */
	private static function may_see_screens(): bool {
		if ( isset( $_GET['page'] ) ) { // phpcs:ignore WordPress.Security.NonceVerification.Recommended -- only which screen this is.
			return true;
		}
		// The role's own capabilities answer most users at no cost; a "no" there is asked properly, since
		// filters (user_has_cap, map_meta_cap) and super admins can grant what the role does not list.
		$caps = wp_get_current_user()->allcaps;
		if ( ! empty( $caps['manage_options'] ) || ! empty( $caps['session_warden_manage_sessions'] ) ) {
			return true;
		}
		// Session_Directory::CAP, written out so that Session_Directory.php is not loaded for it.
		return current_user_can( 'manage_options' ) || current_user_can( 'session_warden_manage_sessions' );
	}
}
