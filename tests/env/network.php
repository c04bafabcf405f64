<?php
/**
 * Turns the test-bed site into a subdirectory multisite network, without WP-CLI (SW_MULTISITE=1 in up.sh).
 * Two steps, because WordPress must be loaded again once wp-config.php says MULTISITE:
 *
 *   php network.php network   single site loaded: the network tables and the network row, what
 *                             Tools → Network Setup does (install_network() + populate_network())
 *   (up.sh then adds the multisite constants to wp-config.php and the multisite rewrite rules to Apache)
 *   php network.php sites     multisite loaded: the plugin network-activated instead of activated on the
 *                             main site, and a second site at /second/; prints [{"id":…,"url":…}, …]
 *
 * The network's domain carries the port (127.0.0.1:PORT): core keeps a port other than 80/443 in the
 * host it matches against wp_blogs.domain (ms-settings.php strips only :80 and :443), and populate_network()
 * stores the domain as given. Only the Network Setup screen refuses ports, and wp_insert_site() strips the
 * ':' (sanitize_user()), so the second site's domain is put back through a filter (see below).
 *
 * Env: SW_SITE (WordPress root), SW_PORT, SW_ADMIN_USER.
 */

$sw_step   = $argv[1] ?? '';
$sw_domain = '127.0.0.1:' . (int) getenv( 'SW_PORT' );
if ( 'network' === $sw_step ) {
	define( 'WP_INSTALLING_NETWORK', true );
}
$_SERVER['HTTP_HOST']   = $sw_domain;
$_SERVER['SERVER_NAME'] = '127.0.0.1';
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['REMOTE_ADDR'] = '127.0.0.1';
require getenv( 'SW_SITE' ) . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once ABSPATH . 'wp-admin/includes/plugin.php';

function sw_fail( string $message ): void {
	fwrite( STDERR, "network.php: $message\n" );
	exit( 1 );
}

$main  = 'session-warden/session-warden.php';
$admin = get_user_by( 'login', (string) getenv( 'SW_ADMIN_USER' ) );
if ( ! $admin ) {
	sw_fail( 'no admin user ' . getenv( 'SW_ADMIN_USER' ) );
}

switch ( $sw_step ) {
	case 'network':
		if ( is_multisite() ) {
			sw_fail( 'the site already is a network' );
		}
		// As wp-admin/network.php does before it installs: the global tables' names on a single site.
		foreach ( $wpdb->tables( 'ms_global' ) as $table => $prefixed_table ) {
			$wpdb->$table = $prefixed_table;
		}
		install_network();
		$result = populate_network( 1, $sw_domain, $admin->user_email, 'Session Warden test network', '/', false );
		if ( is_wp_error( $result ) ) {
			sw_fail( 'populate_network: ' . $result->get_error_message() );
		}
		// populate_network() gave the main site core's "/blog/…" post permalinks; keep the bed's.
		update_option( 'permalink_structure', '/%postname%/' );
		echo "network created for $sw_domain\n";
		break;

	case 'sites':
		if ( ! is_multisite() || ! is_main_site() ) {
			sw_fail( 'wp-config.php does not make this a network (MULTISITE), or this is not its main site' );
		}
		wp_set_current_user( $admin->ID );
		// install.php activated the plugin on the main site; a network runs it network-wide instead, the
		// way a network admin would (silent: the site-only activation leaves nothing to undo).
		deactivate_plugins( $main, true );
		$activated = activate_plugin( $main, '', true );
		if ( is_wp_error( $activated ) ) {
			sw_fail( 'network activate: ' . $activated->get_error_message() );
		}
		if ( ! is_plugin_active_for_network( $main ) ) {
			sw_fail( "$main is not network-active" );
		}
		// Core runs a new site's domain through sanitize_user(), which drops the port's ':' (127.0.0.18817);
		// put the network's own domain back, as it is for the main site (populate_network() stores it as is).
		add_filter(
			'wp_normalize_site_data',
			static function ( $data ) use ( $sw_domain ) {
				if ( isset( $data['domain'] ) ) {
					$data['domain'] = $sw_domain;
				}
				return $data;
			},
			20
		);
		$second = wp_insert_site(
			array(
				'domain'     => $sw_domain,
				'path'       => '/second/',
				'network_id' => get_current_network_id(),
				'title'      => 'Session Warden second site',
				'user_id'    => $admin->ID,
				'public'     => 1,
			)
		);
		if ( is_wp_error( $second ) ) {
			sw_fail( 'creating /second/: ' . $second->get_error_message() );
		}
		switch_to_blog( $second );
		update_option( 'permalink_structure', '/%postname%/' );
		restore_current_blog();
		$sites = array();
		foreach ( get_sites( array( 'orderby' => 'id' ) ) as $site ) {
			$sites[] = array(
				'id'  => (int) $site->blog_id,
				'url' => untrailingslashit( get_home_url( (int) $site->blog_id ) ),
			);
		}
		echo wp_json_encode( $sites, JSON_UNESCAPED_SLASHES ), "\n";
		break;

	default:
		sw_fail( "unknown step '$sw_step' (network | sites)" );
}
