/**
 * The policy simulator: "a user with these roles and these sessions signs in from this address and
 * browser" → the engine's verdict, worked out in the browser with the settings as they are on screen
 * (saved or not), by the same policy core the server runs (the engine's `admit` op).
 */
import { __, sprintf } from '@wordpress/i18n';
import { useEffect, useState } from '@wordpress/element';
import {
	Button,
	Card,
	CardBody,
	CardHeader,
	CheckboxControl,
	Notice,
	SelectControl,
	Spinner,
	TextControl,
} from '@wordpress/components';
import { loadEngine } from './engine.js';

export const UAS = [
	{ value: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36', label: __( 'Chrome on Windows', 'session-warden' ) },
	{ value: 'Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0', label: __( 'Firefox on Linux', 'session-warden' ) },
	{ value: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15', label: __( 'Safari on a Mac', 'session-warden' ) },
	{ value: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1', label: __( 'Safari on an iPhone', 'session-warden' ) },
	{ value: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36', label: __( 'Chrome on Android', 'session-warden' ) },
	{ value: 'Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1', label: __( 'Safari on an iPad', 'session-warden' ) },
	{ value: 'curl/8.5.0', label: __( 'A script (curl)', 'session-warden' ) },
];

export const REASONS = {
	limit_user: __( 'the user has as many sessions as allowed', 'session-warden' ),
	limit_ip: __( 'as many sessions as allowed come from this IP address', 'session-warden' ),
	limit_country: __( 'as many sessions as allowed come from this country', 'session-warden' ),
	limit_device_class: __( 'as many sessions as allowed are on this class of device', 'session-warden' ),
	limit_device_type: __( 'as many sessions as allowed are on this type of device', 'session-warden' ),
	limit_client_type: __( 'as many sessions as allowed use this type of client', 'session-warden' ),
	limit_browser: __( 'as many sessions as allowed use this browser', 'session-warden' ),
	limit_os: __( 'as many sessions as allowed use this operating system', 'session-warden' ),
	max_ips: __( 'the user is signed in from as many different IP addresses as allowed', 'session-warden' ),
	ip_denied: __( 'the IP address is on the deny list', 'session-warden' ),
	ip_not_allowed: __( 'the IP address is not on the allow list', 'session-warden' ),
	ip_scope: __( 'the IP address is outside the allowed networks (private or public)', 'session-warden' ),
	idle: __( 'the session was idle too long', 'session-warden' ),
	ip_changed: __( 'the session moved to another IP address', 'session-warden' ),
	epoch: __( 'everyone was signed out', 'session-warden' ),
	expired: __( 'the session had expired', 'session-warden' ),
};

export const reasonText = ( r ) => REASONS[ r ] || r || '';

export const initialSimulation = () => ( {
	userId: '1',
	roles: [ 'subscriber' ],
	ip: '203.0.113.10',
	forwardedFor: '',
	ua: UAS[ 0 ].value,
	country: '',
	sessions: [
		{ ip: '198.51.100.20', ua: UAS[ 3 ].value, country: '', loginAgo: '120', activeAgo: '5' },
	],
} );

/** The engine's `admit` request for the inputs, at `now`. */
export function admitRequest( settings, sim, now ) {
	const headers = sim.forwardedFor.trim() ? [ { name: 'X-Forwarded-For', value: sim.forwardedFor.trim() } ] : [];
	return {
		settings,
		user: { id: Number( sim.userId ) || 0, roles: sim.roles },
		now,
		facts: { remote_addr: sim.ip.trim(), headers, ua: sim.ua, country: sim.country.trim().toUpperCase() },
		sessions: sim.sessions.map( ( s, i ) => ( {
			verifier: `session-${ i + 1 }`,
			login: now - Math.max( 0, Math.round( Number( s.loginAgo ) * 60 ) || 0 ),
			expiration: now + 14 * 86400,
			last_activity: now - Math.max( 0, Math.round( Number( s.activeAgo ) * 60 ) || 0 ),
			ip: s.ip.trim(),
			country: s.country.trim().toUpperCase(),
			ua: s.ua,
			flags: [],
		} ) ),
	};
}

function UaChoice( { value, onChange, label } ) {
	const known = UAS.some( ( u ) => u.value === value );
	return (
		<div className="sw-ua">
			<SelectControl
				label={ label }
				value={ known ? value : '' }
				options={ [ ...UAS, { value: '', label: __( 'Other (type it below)…', 'session-warden' ) } ] }
				onChange={ ( v ) => onChange( v === '' ? ( known ? '' : value ) : v ) }
			/>
			{ ! known && (
				<TextControl label={ __( 'User-Agent', 'session-warden' ) } value={ value } onChange={ onChange } />
			) }
		</div>
	);
}

function Verdict( { answer } ) {
	const v = answer.verdict;
	const device = answer.device?.label;
	const client = answer.client?.ip;
	let status;
	let text;
	if ( v.action === 'allow' ) {
		status = 'success';
		text = __( 'Signed in.', 'session-warden' );
	} else if ( v.action === 'block' ) {
		status = 'error';
		text = sprintf( /* translators: %s: reason */ __( 'Sign-in refused: %s.', 'session-warden' ), reasonText( v.reason ) );
	} else {
		status = 'warning';
		text = sprintf(
			/* translators: 1: reason, 2: address */
			__( 'Sign-in refused (%1$s) and sent to %2$s.', 'session-warden' ),
			reasonText( v.reason ),
			v.url
		);
	}
	return (
		<div className={ `sw-verdict sw-verdict-${ v.action }` } data-action={ v.action } data-reason={ v.reason || '' }>
			<Notice status={ status } isDismissible={ false } spokenMessage={ text }>
				<strong>{ text }</strong>
			</Notice>
			<ul className="sw-verdict-details">
				<li>
					{ sprintf( /* translators: 1: IP address, 2: device description */ __( 'Seen as %1$s on %2$s.', 'session-warden' ), client || __( '(no address)', 'session-warden' ), device || '?' ) }
				</li>
				{ v.action === 'allow' && v.destroy?.length > 0 && (
					<li>
						{ sprintf(
							/* translators: 1: sessions list, 2: reason */
							__( 'To make room, these sessions are ended: %1$s (%2$s).', 'session-warden' ),
							v.destroy.join( ', ' ),
							reasonText( v.reason )
						) }
					</li>
				) }
				{ v.action === 'allow' && v.expired?.length > 0 && (
					<li>{ sprintf( /* translators: %s: sessions */ __( 'Already expired and removed: %s.', 'session-warden' ), v.expired.join( ', ' ) ) }</li>
				) }
				{ v.action === 'block' && v.message_key && (
					<li>{ sprintf( /* translators: %s: message key */ __( 'Message shown: %s', 'session-warden' ), v.message_key ) }</li>
				) }
			</ul>
		</div>
	);
}

export default function Simulator( { settings, roles, sim, setSim, web } ) {
	const [ ask, setAsk ] = useState( null );
	const [ loadError, setLoadError ] = useState( '' );
	const [ result, setResult ] = useState( null );

	useEffect( () => {
		let live = true;
		loadEngine( web )
			.then( ( fn ) => live && setAsk( () => fn ) )
			.catch( ( e ) => live && setLoadError( e.message || String( e ) ) );
		return () => {
			live = false;
		};
	}, [ web ] );

	const update = ( key, value ) => setSim( { ...sim, [ key ]: value } );
	const updateSession = ( i, key, value ) =>
		update( 'sessions', sim.sessions.map( ( s, j ) => ( j === i ? { ...s, [ key ]: value } : s ) ) );

	const run = () => {
		const request = admitRequest( settings, sim, Math.floor( Date.now() / 1000 ) );
		const reply = ask( 'admit', request );
		setResult( { request, reply } );
	};

	// The verdict follows the inputs and the settings as they are edited.
	useEffect( () => {
		if ( ask ) {
			run();
		}
		// eslint-disable-next-line react-hooks/exhaustive-deps
	}, [ ask, JSON.stringify( settings ), JSON.stringify( sim ) ] );

	if ( loadError ) {
		return (
			<Notice status="warning" isDismissible={ false }>
				{ sprintf(
					/* translators: %s: error */
					__( 'The simulator needs the browser build of the engine (assets/web), which could not be loaded: %s', 'session-warden' ),
					loadError
				) }
			</Notice>
		);
	}

	return (
		<div className="sw-simulator">
			<p className="sw-intro">
				{ __( 'Try the settings on this screen, saved or not: who signs in, from where, and which sessions they already have. The verdict comes from the same engine the site uses.', 'session-warden' ) }
			</p>
			<div className="sw-sim-columns">
				<Card size="small">
					<CardHeader>
						<strong>{ __( 'Who signs in', 'session-warden' ) }</strong>
					</CardHeader>
					<CardBody>
						<TextControl label={ __( 'User ID', 'session-warden' ) } type="number" min={ 1 } value={ sim.userId } onChange={ ( v ) => update( 'userId', v ) } help={ __( 'Matters for per-user rules and exemptions.', 'session-warden' ) } />
						<fieldset className="sw-role-checks">
							<legend>{ __( 'Roles', 'session-warden' ) }</legend>
							{ roles.map( ( r ) => (
								<CheckboxControl
									key={ r.slug }
									label={ r.name }
									checked={ sim.roles.includes( r.slug ) }
									onChange={ ( on ) => update( 'roles', on ? [ ...sim.roles, r.slug ] : sim.roles.filter( ( s ) => s !== r.slug ) ) }
								/>
							) ) }
						</fieldset>
						<TextControl label={ __( 'From IP address', 'session-warden' ) } value={ sim.ip } onChange={ ( v ) => update( 'ip', v ) } className="sw-sim-ip" />
						<TextControl
							label={ __( 'X-Forwarded-For header (optional)', 'session-warden' ) }
							help={ __( 'As a proxy would send it; believed only from trusted proxies.', 'session-warden' ) }
							value={ sim.forwardedFor }
							onChange={ ( v ) => update( 'forwardedFor', v ) }
						/>
						<UaChoice label={ __( 'Browser and device', 'session-warden' ) } value={ sim.ua } onChange={ ( v ) => update( 'ua', v ) } />
						<TextControl label={ __( 'Country code (optional)', 'session-warden' ) } help={ __( 'Two letters, such as DE; the site looks it up in the country database.', 'session-warden' ) } value={ sim.country } maxLength={ 2 } onChange={ ( v ) => update( 'country', v ) } />
					</CardBody>
				</Card>
				<Card size="small">
					<CardHeader>
						<strong>{ __( 'Sessions they already have', 'session-warden' ) }</strong>
					</CardHeader>
					<CardBody>
						{ sim.sessions.length === 0 && <p className="sw-muted">{ __( 'None.', 'session-warden' ) }</p> }
						{ sim.sessions.map( ( s, i ) => (
							<div className="sw-sim-session" key={ i } data-session={ i + 1 }>
								<div className="sw-sim-session-head">
									<strong>{ sprintf( /* translators: %d: number */ __( 'session-%d', 'session-warden' ), i + 1 ) }</strong>
									<Button variant="link" isDestructive onClick={ () => update( 'sessions', sim.sessions.filter( ( _, j ) => j !== i ) ) }>
										{ __( 'Remove', 'session-warden' ) }
									</Button>
								</div>
								<div className="sw-row">
									<TextControl label={ __( 'IP address', 'session-warden' ) } value={ s.ip } onChange={ ( v ) => updateSession( i, 'ip', v ) } />
									<TextControl label={ __( 'Country', 'session-warden' ) } value={ s.country } maxLength={ 2 } onChange={ ( v ) => updateSession( i, 'country', v ) } />
								</div>
								<UaChoice label={ __( 'Browser and device', 'session-warden' ) } value={ s.ua } onChange={ ( v ) => updateSession( i, 'ua', v ) } />
								<div className="sw-row">
									<TextControl label={ __( 'Signed in (minutes ago)', 'session-warden' ) } type="number" min={ 0 } value={ s.loginAgo } onChange={ ( v ) => updateSession( i, 'loginAgo', v ) } />
									<TextControl label={ __( 'Last active (minutes ago)', 'session-warden' ) } type="number" min={ 0 } value={ s.activeAgo } onChange={ ( v ) => updateSession( i, 'activeAgo', v ) } />
								</div>
							</div>
						) ) }
						<Button
							variant="secondary"
							onClick={ () => update( 'sessions', [ ...sim.sessions, { ip: '198.51.100.30', ua: UAS[ 0 ].value, country: '', loginAgo: '60', activeAgo: '1' } ] ) }
						>
							{ __( 'Add a session', 'session-warden' ) }
						</Button>
					</CardBody>
				</Card>
			</div>
			<div className="sw-sim-result" aria-live="polite">
				<h3>{ __( 'Verdict', 'session-warden' ) }</h3>
				{ ! ask && <Spinner /> }
				{ result && result.reply.error && (
					<Notice status="error" isDismissible={ false } className="sw-sim-error">
						{ result.reply.error.code === 'invalid_settings'
							? __( 'The settings on this screen have errors, so nothing can be simulated. Save them to see each problem next to its field.', 'session-warden' )
							: '' }{ ' ' }
						{ result.reply.error.message }
					</Notice>
				) }
				{ result && result.reply.ok && <Verdict answer={ result.reply.ok } /> }
				{ result && (
					<details className="sw-sim-raw">
						<summary>{ __( 'What the engine was asked, and its answer', 'session-warden' ) }</summary>
						<pre className="sw-sim-request">{ JSON.stringify( { op: 'admit', args: result.request }, null, 2 ) }</pre>
						<pre className="sw-sim-reply">{ JSON.stringify( result.reply, null, 2 ) }</pre>
					</details>
				) }
			</div>
		</div>
	);
}
