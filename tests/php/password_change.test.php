<?php
/**
 * A user who changes their own password stays signed in, under any limit: WordPress before 6.3 re-issues
 * the changer's session as a new one (Password_Watch notes the old one, Login_Guard removes it before
 * the limit is checked); 6.3+ keeps the same token. Every other session of the user ends.
 */

use SessionWarden\Events;
use SessionWarden\Login_Guard;
use SessionWarden\Session_Store;
use SessionWarden\Settings;

sw_test(
	'changing one\'s own password under a limit of one session (block) keeps the changer signed in with one session and ends the others',
	function () {
		$login = 'swpw_self';
		$user  = sw_fixture_user( $login, 'subscriber', 'swpw-self-pass-1' );
		WP_Session_Tokens::get_instance( $user->ID )->destroy_all();
		$GLOBALS['wpdb']->delete( Events::table(), array( 'user_id' => $user->ID ), array( '%d' ) );
		$site = get_option( Settings::OPTION );
		$plan = get_option( Settings::PLAN_OPTION );
		try {
			// Two sessions, this browser's and another, made before the limit (each as its own request would:
			// what a request leaves for its shutdown is done here).
			$manager = WP_Session_Tokens::get_instance( $user->ID );
			$mine    = $manager->create( time() + DAY_IN_SECONDS );
			Login_Guard::release();
			$other   = $manager->create( time() + DAY_IN_SECONDS );
			Login_Guard::release();

			$saved = Settings::save(
				array(
					'users' => array(
						array(
							'user_id' => $user->ID,
							'rule'    => array(
								'limits' => array(
									array(
										'kind' => 'user',
										'max'  => 1,
									),
								),
								'mode'   => 'block',
							),
						),
					),
				)
			);
			sw_assert( is_array( $saved ), 'settings saved: ' . ( is_wp_error( $saved ) ? $saved->get_error_message() . ' ' . wp_json_encode( $saved->get_error_data() ) : '' ) );

			$_COOKIE[ LOGGED_IN_COOKIE ] = wp_generate_auth_cookie( $user->ID, time() + DAY_IN_SECONDS, 'logged_in', $mine );
			wp_set_current_user( $user->ID );

			// The re-issued auth cookies cannot be set in this process (its output has started): only that warning is dropped.
			set_error_handler( static fn ( int $no, string $message ): bool => str_contains( $message, 'Cannot modify header information' ), E_WARNING );
			try {
				$result = wp_update_user(
					array(
						'ID'        => $user->ID,
						'user_pass' => 'swpw-self-pass-2',
					)
				);
			} finally {
				restore_error_handler();
				unset( $_COOKIE[ LOGGED_IN_COOKIE ] );
				wp_set_current_user( 0 );
			}
			sw_assert_same( $user->ID, $result, 'password changed' );

			$store    = new Session_Store();
			$sessions = $store->all( $user->ID );
			sw_assert_same( 1, count( $sessions ), 'sessions left: ' . implode( ', ', array_keys( $sessions ) ) . ' mine ' . $store->verifier_for_token( $mine ) . ' other ' . $store->verifier_for_token( $other ) . ' events ' . wp_json_encode( array_column( Events::query( array( 'user_id' => $user->ID ) ), 'type' ) ) );
			sw_assert( ! isset( $sessions[ $store->verifier_for_token( $other ) ] ), 'the other session ended' );
			sw_assert_same( array(), Events::query( array( 'user_id' => $user->ID, 'type' => 'login_blocked' ) ), 'the changer was not refused' );
			sw_assert( ! ( new SessionWarden\User_Lock() )->holds( $user->ID ), 'no lock left held' );
		} finally {
			WP_Session_Tokens::get_instance( $user->ID )->destroy_all();
			false === $site ? delete_option( Settings::OPTION ) : update_option( Settings::OPTION, $site );
			false === $plan ? delete_option( Settings::PLAN_OPTION ) : update_option( Settings::PLAN_OPTION, $plan );
		}
	}
);
