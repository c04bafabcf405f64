<?php
/**
 * A request already sent to the engine whose reply has not been read yet (Engine_Client::send()).
 *
 * @package SessionWarden
 */

namespace SessionWarden;

/**
 * Read it with answer(), or give it up with drop(); one of the two, once.
 */
final class Engine_Pending {

	/** Whether answer() or drop() ran. */
	private bool $done = false;

	/**
	 * @param \Closure $receive Reads the reply line (throws Engine_Error).
	 * @param \Closure $drop    Gives the request up without its reply.
	 */
	public function __construct( private readonly \Closure $receive, private readonly \Closure $drop ) {}

	/**
	 * The reply's "ok" value.
	 *
	 * @return mixed
	 * @throws Engine_Error When no reply came, or it is an error.
	 */
	public function answer() {
		return Engine_Client::ok( $this->reply_line() );
	}

	/**
	 * The reply line as it came.
	 *
	 * @throws Engine_Error When no reply came.
	 */
	public function reply_line(): string {
		if ( $this->done ) {
			throw new \LogicException( 'this engine request was already answered or dropped' );
		}
		$this->done = true;
		return ( $this->receive )();
	}

	/** Gives the request up: its reply, if any comes, is never used. */
	public function drop(): void {
		if ( ! $this->done ) {
			$this->done = true;
			( $this->drop )();
		}
	}
}
