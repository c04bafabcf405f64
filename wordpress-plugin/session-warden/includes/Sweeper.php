<?php
/**
 * Ends the sessions nobody will come back to end: a session is normally checked when its browser makes
 * a request, so one whose browser never returns would otherwise sit in the list (and count against a
 * session limit) until it expires. The engine says which have ended; this class only walks the users
 * and carries the verdicts out.
 *
 * Users are found by their `session_tokens` user meta, i.e. core's own session storage. A site whose
 * `session_token_manager` keeps sessions elsewhere has no such rows and is not swept; its sessions are
 * still checked on each request.
 *
 * @package SessionWarden
 */

namespace SessionWarden;

final class Sweeper {

	/**
	 * Sweeps every user that has sessions.
	 *
	 * Stops at the first engine failure (Engine::ask() has already recorded it): without the engine
	 * nothing can be decided, and the next run starts over. A user whose lock is busy, or whose sessions
	 * cannot be read or written, is skipped until the next run.
	 *
	 * @param int $batch Users read per query.
	 * @return array{users: int, ended: int, skipped: int, error: string|null} Users swept, sessions ended,
	 *                                                                          users skipped, and the engine's
	 *                                                                          error code when it stopped the run.
	 */
	public static function run( int $batch = 200 ): array {
		$batch  = max( 1, $batch );
		$counts = array(
			'users'   => 0,
			'ended'   => 0,
			'skipped' => 0,
			'error'   => null,
		);
		$after = 0;
		$store = new Session_Store();

		do {
			// Keyset paging: users whose last session ends during the walk cannot make it skip anyone.
			$ids = $store->users_with_sessions_after( $after, $batch );
			foreach ( $ids as $id ) {
				$after = (int) $id;
				$user  = get_userdata( $after );
				if ( ! $user ) {
					continue;
				}
				try {
					$ended = self::sweep_user( $user );
				} catch ( Engine_Error $e ) {
					$counts['error'] = $e->error_code;
					return $counts;
				}
				if ( null === $ended ) {
					++$counts['skipped'];
					continue;
				}
				++$counts['users'];
				$counts['ended'] += $ended;
			}
		} while ( count( $ids ) === $batch );

		return $counts;
	}

	/**
	 * Ends the user's sessions that the engine says have ended, under the user's lock.
	 *
	 * @param \WP_User $user User.
	 * @return int|null Sessions ended, or null when the user was skipped (lock busy, sessions unreadable).
	 * @throws Engine_Error When the engine cannot be asked.
	 */
	private static function sweep_user( \WP_User $user ): ?int {
		$store = new Session_Store();
		try {
			$result = ( new User_Lock() )->with_lock(
				(int) $user->ID,
				static function ( int $uid ) use ( $store, $user ): int {
					$sessions = $store->all( $uid );
					if ( ! $sessions ) {
						return 0;
					}
					$reply = Engine::ask(
						'sweep',
						array(
							'settings' => (object) Settings::current(),
							'user'     => Session_Record::user( $user ),
							'now'      => time(),
							'epoch'    => Settings::epoch(),
							'sessions' => Session_Record::all_to_engine( $sessions ),
						)
					);

					$ended = array();
					foreach ( is_array( $reply ) ? $reply : array() as $item ) {
						$verifier = is_array( $item ) && is_string( $item['verifier'] ?? null ) ? $item['verifier'] : '';
						// Only sessions read here can be ended here, whatever the reply says.
						if ( '' !== $verifier && isset( $sessions[ $verifier ] ) ) {
							$ended[ $verifier ] = is_string( $item['reason'] ?? null ) ? $item['reason'] : '';
						}
					}
					if ( ! $ended ) {
						return 0;
					}

					$store->destroy_many( $uid, array_map( 'strval', array_keys( $ended ) ) );
					foreach ( $ended as $verifier => $reason ) {
						$verifier = (string) $verifier;
						$ours     = Session_Record::ours( $sessions[ $verifier ] );
						Events::record(
							Events::SESSION_ENDED,
							$uid,
							array(
								'reason'   => $reason,
								'verifier' => $verifier,
								// Events::record() drops anything that is not a plain value.
								'ip'       => $ours['ip'] ?? ( $sessions[ $verifier ]['ip'] ?? '' ),
								'country'  => $ours['country'] ?? '',
								'device'   => $ours['device']['label'] ?? '',
								'data'     => array( 'source' => 'sweep' ),
							)
						);
					}
					return count( $ended );
				}
			);
		} catch ( \InvalidArgumentException | \UnexpectedValueException $e ) {
			// The user was deleted meanwhile, or the session manager cannot be driven.
			return null;
		}
		return is_wp_error( $result ) ? null : (int) $result;
	}
}
