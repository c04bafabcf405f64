<?php
/**
 * Ending sessions on request: a user ending one of their own sessions (or all the others), or someone
 * with Session_Directory::CAP ending anyone's.
 *
 * Each ending reads and writes the owner's sessions under User_Lock (a parallel sign-in must neither be
 * lost nor counted twice), goes through Session_Store (which keeps Session_Index in step) and records a
 * `session_ended` event with reason `by_user` or `by_admin`. Capability checks are the callers' job.
 *
 * @package SessionWarden
 */

namespace SessionWarden;

final class Session_Actions {

	/** Event reason per $by. */
	private const REASONS = array(
		'user'  => 'by_user',
		'admin' => 'by_admin',
	);

	/**
	 * Ends one session.
	 *
	 * @param string $id Session id (Session_Id).
	 * @param string $by `user` (the owner ended it) or `admin` (someone with the capability did).
	 * @return true|\WP_Error `session_warden_no_session` (404) when there is no such live session;
	 *                        `session_warden_lock_timeout` / `session_warden_lock_failed` (503) when the
	 *                        owner's sessions could not be locked.
	 * @throws \InvalidArgumentException For an unknown $by.
	 */
	public static function end( string $id, string $by ) {
		$reason = self::reason( $by );
		$found  = Session_Id::resolve( $id );
		if ( null === $found ) {
			return self::no_session();
		}
		$user_id  = $found['user_id'];
		$verifier = $found['verifier'];
		$store    = new Session_Store();
		$record   = ( new User_Lock() )->with_lock(
			$user_id,
			static function () use ( $store, $user_id, $verifier ): ?array {
				$record = $store->get( $user_id, $verifier );
				if ( null === $record || ! $store->destroy( $user_id, $verifier ) ) {
					return null;
				}
				return $record;
			}
		);
		if ( is_wp_error( $record ) ) {
			$record->add_data( array( 'status' => 503 ) );
			return $record;
		}
		if ( null === $record ) {
			return self::no_session(); // Ended by someone else between the lookup and the lock.
		}
		Events::session_ended( $user_id, $verifier, $record, $reason, array( 'by' => get_current_user_id() ) );
		return true;
	}

	/**
	 * Ends every session of a user except one.
	 *
	 * @param int         $user_id User whose sessions end.
	 * @param string|null $keep_id The session to keep (normally the requester's own), or null to end all.
	 * @param string      $by      `user` or `admin`.
	 * @return int How many sessions ended.
	 * @throws \InvalidArgumentException For a bad user, an unknown $by, or a $keep_id of another user.
	 * @throws \RuntimeException When the user's sessions could not be locked (nothing was ended).
	 */
	public static function end_others( int $user_id, ?string $keep_id, string $by ): int {
		$reason = self::reason( $by );
		if ( $user_id <= 0 || ! get_userdata( $user_id ) ) {
			throw new \InvalidArgumentException( sprintf( 'There is no user with ID %d.', $user_id ) );
		}
		$keep = null;
		if ( null !== $keep_id && '' !== $keep_id ) {
			$parts = Session_Id::parse( $keep_id );
			if ( null === $parts ) {
				throw new \InvalidArgumentException( 'The session to keep is not a session id.' );
			}
			if ( $parts['user_id'] !== $user_id ) {
				throw new \InvalidArgumentException( sprintf( 'The session to keep belongs to another user than %d.', $user_id ) );
			}
			$keep = $parts['hash'];
		}

		$store  = new Session_Store();
		$result = ( new User_Lock() )->with_lock(
			$user_id,
			static function () use ( $store, $user_id, $keep ): array {
				$ended = array();
				foreach ( $store->all( $user_id ) as $verifier => $record ) {
					if ( null !== $keep && hash_equals( $keep, Session_Id::hash( $user_id, (string) $verifier ) ) ) {
						continue;
					}
					$ended[ (string) $verifier ] = $record;
				}
				if ( $ended ) {
					$store->destroy_many( $user_id, array_map( 'strval', array_keys( $ended ) ) );
				}
				return $ended;
			}
		);
		if ( is_wp_error( $result ) ) {
			throw new \RuntimeException( $result->get_error_message() );
		}
		foreach ( $result as $verifier => $record ) {
			Events::session_ended( $user_id, (string) $verifier, $record, $reason, array( 'by' => get_current_user_id() ) );
		}
		return count( $result );
	}

	/**
	 * @param string $by `user` or `admin`.
	 * @return string Event reason.
	 */
	private static function reason( string $by ): string {
		if ( ! isset( self::REASONS[ $by ] ) ) {
			throw new \InvalidArgumentException( sprintf( 'Sessions are ended by "user" or "admin", not "%s".', substr( $by, 0, 40 ) ) );
		}
		return self::REASONS[ $by ];
	}

	private static function no_session(): \WP_Error {
		return new \WP_Error(
			'session_warden_no_session',
			__( 'That session has already ended, or it does not exist.', 'session-warden' ),
			array( 'status' => 404 )
		);
	}
}
