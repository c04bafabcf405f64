/**
 * Session Warden: real-time logout and the idle warning (plain script, no build step).
 *
 * Rides on WordPress's heartbeat (never counted as activity by the plugin):
 * - a heartbeat reply that says our session was ended elsewhere sends this tab, and every other tab of
 *   the site, to the login screen, where the plugin's notice says why;
 * - with the idle warning on, replies carry the engine's idle deadline ({ends, warn, now} in server
 *   seconds). From `warn` on, one countdown dialog is shown in every tab; "Stay signed in" makes one
 *   ordinary request (which the plugin records as activity) and shares the moved deadline.
 * Tabs talk through a BroadcastChannel, or localStorage events where there is none. Nothing secret is
 * ever here: only times, a nonce and URLs. A page that cannot warn yet (no deadline) gets only its user and
 * key; the dialog's texts, URLs and nonce come with the first heartbeat reply that carries a deadline, and
 * the login screen's URL with the reply (or the other tab's message) that says the session ended.
 */
( function () {
	'use strict';

	var cfg = window.sessionWardenLive;
	if ( ! cfg || ! window.wp || ! window.wp.hooks ) {
		return;
	}
	var NS = 'session-warden/live';
	var KEY = cfg.key || 'session_warden';
	var CHANNEL = 'session-warden-live-' + cfg.userId;
	// `ends` and `warn` in local-clock milliseconds (tabs share that clock, not the server's offset);
	// `at` is the server's time of the answer, so an answer that was overtaken never wins.
	var state = { ends: 0, warn: 0, at: 0 };
	var leaving = false;
	var checkingSince = 0;
	var timer = null;
	var ui = null;
	var returnFocus = null;

	// ---------------------------------------------------------------------------------------------
	// Between tabs.

	var channel = null;
	if ( typeof window.BroadcastChannel === 'function' ) {
		try {
			channel = new window.BroadcastChannel( CHANNEL );
			channel.onmessage = function ( e ) {
				receive( e.data );
			};
		} catch ( e ) {
			channel = null;
		}
	}
	if ( ! channel ) {
		window.addEventListener( 'storage', function ( e ) {
			if ( e.key !== CHANNEL || ! e.newValue ) {
				return;
			}
			try {
				receive( JSON.parse( e.newValue ) );
			} catch ( err ) {
				// Not ours, or damaged: ignore.
			}
		} );
	}

	function broadcast( message ) {
		if ( channel ) {
			channel.postMessage( message );
			return;
		}
		try {
			// A fresh value every time, or an identical message would not fire `storage` again.
			message.n = Date.now() + Math.random();
			window.localStorage.setItem( CHANNEL, JSON.stringify( message ) );
		} catch ( e ) {
			// Storage refused (private mode, quota): each tab still learns on its own heartbeat.
		}
	}

	function receive( message ) {
		if ( ! message || typeof message !== 'object' ) {
			return;
		}
		if ( 'deadline' === message.type && message.deadline ) {
			adopt( message.deadline, false );
		} else if ( 'ended' === message.type ) {
			if ( message.login ) {
				cfg.loginUrl = message.login;
			}
			var url = loginUrl();
			if ( url ) {
				leave( url );
			} else {
				connectNow(); // This tab's own heartbeat reply says where to go.
			}
		}
	}

	// ---------------------------------------------------------------------------------------------
	// Deadlines.

	/**
	 * Server seconds {ends, warn, now} → local milliseconds. `serverNow` (seconds) dates an answer
	 * without a deadline (warning off, or none for this user).
	 */
	function fromServer( d, serverNow ) {
		var received = Date.now();
		if ( ! d || ! d.now ) {
			return { ends: 0, warn: 0, at: ( serverNow || 0 ) * 1000 };
		}
		var offset = received - d.now * 1000;
		return {
			ends: d.ends ? d.ends * 1000 + offset : 0,
			warn: d.warn ? d.warn * 1000 + offset : 0,
			at: d.now * 1000,
		};
	}

	/** Takes newer news of the deadline (from this tab's server replies or another tab's). */
	function adopt( next, share ) {
		if ( ! next || typeof next.at !== 'number' || next.at < state.at ) {
			return;
		}
		state = { ends: +next.ends || 0, warn: +next.warn || 0, at: next.at };
		checkingSince = 0;
		if ( share ) {
			broadcast( { type: 'deadline', deadline: state } );
		}
		if ( state.ends && ! timer ) {
			timer = window.setInterval( tick, 1000 );
		} else if ( ! state.ends && timer ) {
			window.clearInterval( timer );
			timer = null;
		}
		tick();
	}

	function tick() {
		if ( leaving ) {
			return;
		}
		var now = Date.now();
		if ( state.ends && now >= state.ends ) {
			// Idle by now: the next request ends the session. Ask at once instead of waiting for the
			// next heartbeat; the reply sends this tab to the login screen (or brings a newer deadline
			// if another device kept the session alive).
			show( 0, true );
			if ( ! checkingSince || now - checkingSince > 10000 ) {
				checkingSince = now;
				connectNow();
			}
			return;
		}
		if ( state.ends && state.warn && now >= state.warn ) {
			show( state.ends - now, false );
		} else {
			hide();
		}
	}

	function connectNow() {
		if ( window.wp.heartbeat && typeof window.wp.heartbeat.connectNow === 'function' ) {
			window.wp.heartbeat.connectNow();
		}
	}

	/** The login screen, coming back here; null until a page or reply told this tab where it is. */
	function loginUrl() {
		var url = cfg.loginUrl;
		if ( ! url ) {
			return null;
		}
		return url + ( url.indexOf( '?' ) === -1 ? '?' : '&' ) + 'redirect_to=' + encodeURIComponent( window.location.href );
	}

	function leave( url ) {
		if ( leaving ) {
			return;
		}
		leaving = true;
		if ( timer ) {
			window.clearInterval( timer );
			timer = null;
		}
		window.location.assign( url );
	}

	// ---------------------------------------------------------------------------------------------
	// Heartbeat.

	window.wp.hooks.addAction( 'heartbeat.send', NS, function ( data ) {
		data[ KEY ] = { url: window.location.href };
		if ( ! cfg.text ) {
			// A page loaded without a deadline has no dialog yet: replies with a deadline bring it.
			data[ KEY ].dialog = 1;
		}
	} );

	window.wp.hooks.addAction( 'heartbeat.tick', NS, function ( response ) {
		var ours = response && response[ KEY ];
		if ( ! ours ) {
			return;
		}
		if ( ours.signed_in ) {
			if ( ours.dialog && ! cfg.text ) {
				// What the page would have carried with a deadline (Live_Session::dialog()).
				Object.keys( ours.dialog ).forEach( function ( name ) {
					cfg[ name ] = ours.dialog[ name ];
				} );
			}
			if ( ours.nonce ) {
				cfg.nonce = ours.nonce;
			}
			adopt( fromServer( ours.deadline, response.server_time ), true );
		} else if ( ours.ended ) {
			if ( ours.login ) {
				cfg.loginUrl = ours.login;
			}
			broadcast( { type: 'ended', login: cfg.loginUrl } );
			leave( ours.login_url || loginUrl() );
		}
	} );

	// ---------------------------------------------------------------------------------------------
	// "Stay signed in": one real request.

	function stay() {
		if ( ! ui || ui.stay.disabled ) {
			return;
		}
		ui.stay.disabled = true;
		setError( '' );
		var body = 'action=' + encodeURIComponent( cfg.action ) + '&_ajax_nonce=' + encodeURIComponent( cfg.nonce );
		window.fetch( cfg.ajaxUrl, {
			method: 'POST',
			credentials: 'same-origin',
			headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=UTF-8' },
			body: body,
		} )
			.then( function ( res ) {
				return res.json().then(
					function ( json ) {
						return { status: res.status, json: json };
					},
					function () {
						return { status: res.status, json: null };
					}
				);
			} )
			.then( function ( res ) {
				if ( res.json && res.json.success && res.json.data ) {
					if ( res.json.data.nonce ) {
						cfg.nonce = res.json.data.nonce;
					}
					adopt( fromServer( res.json.data.deadline, res.json.data.now ), true );
				} else if ( 403 === res.status && res.json && res.json.data && res.json.data.message ) {
					setError( res.json.data.message );
				} else {
					// Signed out meanwhile: the heartbeat reply tells where to go.
					connectNow();
				}
			} )
			.catch( function () {
				setError( cfg.text.failed );
			} )
			.then( function () {
				if ( ui ) {
					ui.stay.disabled = false;
				}
			} );
	}

	// ---------------------------------------------------------------------------------------------
	// The dialog.

	function el( tag, className, text ) {
		var node = document.createElement( tag );
		if ( className ) {
			node.className = className;
		}
		if ( text ) {
			node.textContent = text;
		}
		return node;
	}

	function build() {
		var backdrop = el( 'div', 'sw-live-backdrop' );
		backdrop.hidden = true;
		var dialog = el( 'div', 'sw-live-dialog' );
		dialog.setAttribute( 'role', 'alertdialog' );
		dialog.setAttribute( 'aria-modal', 'true' );
		dialog.setAttribute( 'aria-labelledby', 'sw-live-title' );
		dialog.setAttribute( 'aria-describedby', 'sw-live-text' );

		var title = el( 'h2', 'sw-live-title', cfg.text.title );
		title.id = 'sw-live-title';
		var text = el( 'p', 'sw-live-text' );
		text.id = 'sw-live-text';
		var countdown = el( 'strong', 'sw-live-countdown' );
		var parts = String( cfg.text.countdown ).split( '%s' );
		text.appendChild( document.createTextNode( parts[ 0 ] ) );
		text.appendChild( countdown );
		text.appendChild( document.createTextNode( parts.slice( 1 ).join( '%s' ) ) );
		var ending = el( 'p', 'sw-live-ending', cfg.text.ending );
		ending.hidden = true;
		var error = el( 'p', 'sw-live-error' );
		error.setAttribute( 'role', 'alert' );
		error.hidden = true;

		var actions = el( 'div', 'sw-live-actions' );
		var stayButton = el( 'button', 'sw-live-stay', cfg.text.stay );
		stayButton.type = 'button';
		stayButton.addEventListener( 'click', stay );
		var signOut = el( 'a', 'sw-live-signout', cfg.text.signOut );
		signOut.href = cfg.logoutUrl;
		actions.appendChild( stayButton );
		actions.appendChild( signOut );

		dialog.appendChild( title );
		dialog.appendChild( text );
		dialog.appendChild( ending );
		dialog.appendChild( error );
		dialog.appendChild( actions );
		backdrop.appendChild( dialog );
		document.body.appendChild( backdrop );

		// Keep keyboard focus inside the dialog while it is open.
		dialog.addEventListener( 'keydown', function ( e ) {
			if ( 'Tab' !== e.key ) {
				return;
			}
			var first = stayButton.disabled ? signOut : stayButton;
			if ( e.shiftKey && document.activeElement === first ) {
				e.preventDefault();
				signOut.focus();
			} else if ( ! e.shiftKey && document.activeElement === signOut ) {
				e.preventDefault();
				first.focus();
			}
		} );

		return { backdrop: backdrop, text: text, countdown: countdown, ending: ending, error: error, stay: stayButton };
	}

	function format( ms ) {
		var s = Math.max( 0, Math.ceil( ms / 1000 ) );
		var m = Math.floor( s / 60 );
		var rest = s % 60;
		return m + ':' + ( rest < 10 ? '0' : '' ) + rest;
	}

	var dialogAsked = 0;

	function show( left, ended ) {
		if ( ! document.body ) {
			return;
		}
		if ( ! cfg.text ) {
			// A deadline came from another tab before this tab's own reply brought the dialog: ask now.
			if ( Date.now() - dialogAsked > 10000 ) {
				dialogAsked = Date.now();
				connectNow();
			}
			return;
		}
		if ( ! stylesReady() ) {
			return;
		}
		if ( ! ui ) {
			ui = build();
		}
		ui.countdown.textContent = format( left );
		ui.text.hidden = ended;
		ui.ending.hidden = ! ended;
		ui.stay.hidden = ended;
		if ( ui.backdrop.hidden ) {
			ui.backdrop.hidden = false;
			document.documentElement.classList.add( 'sw-live-open' );
			returnFocus = document.activeElement;
			ui.stay.focus();
		}
	}

	// The dialog's stylesheet, loaded the first time the dialog is due (pages that never warn skip it);
	// the dialog waits for it, so it never appears unstyled.
	var styles = '';

	function stylesReady() {
		if ( styles ) {
			return 'ready' === styles;
		}
		styles = 'loading';
		var link = document.createElement( 'link' );
		link.rel = 'stylesheet';
		link.id = 'session-warden-live-css';
		link.onload = link.onerror = function () {
			styles = 'ready';
			tick();
		};
		link.href = cfg.css;
		( document.head || document.documentElement ).appendChild( link );
		return false;
	}

	function hide() {
		if ( ! ui || ui.backdrop.hidden ) {
			return;
		}
		ui.backdrop.hidden = true;
		setError( '' );
		document.documentElement.classList.remove( 'sw-live-open' );
		if ( returnFocus && typeof returnFocus.focus === 'function' && document.contains( returnFocus ) ) {
			returnFocus.focus();
		}
		returnFocus = null;
	}

	function setError( message ) {
		if ( ! ui ) {
			return;
		}
		ui.error.textContent = message;
		ui.error.hidden = ! message;
	}

	// Background tabs run timers late; catch up as soon as the tab is seen again.
	document.addEventListener( 'visibilitychange', function () {
		if ( ! document.hidden ) {
			tick();
		}
	} );

	// This page view was itself a request: its deadline is the newest news, for every tab.
	if ( cfg.deadline ) {
		var start = function () {
			adopt( fromServer( cfg.deadline ), true );
		};
		if ( document.body ) {
			start();
		} else {
			document.addEventListener( 'DOMContentLoaded', start );
		}
	}
}() );
