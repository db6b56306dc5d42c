/** Row counts of the TICKIT-like sample at a given scale (scale 10, the demo default, = 1M sales). */
export interface TickitSizes {
  users: number;
  venue: number;
  category: number;
  date: number;
  event: number;
  listing: number;
  sales: number;
}

export const DEFAULT_SCALE = 10;

export function tickitSizes(scale: number): TickitSizes {
  if (!Number.isFinite(scale) || scale <= 0) {
    throw new Error(`scale must be a positive number (got ${scale}); scale 10 makes 1,000,000 sales`);
  }
  const at = (base: number) => Math.max(1, Math.round(base * scale));
  return {
    users: at(5_000),
    venue: 202,
    category: 11,
    date: 365,
    event: at(900),
    listing: at(20_000),
    sales: at(100_000),
  };
}

export const TICKIT_TABLES = ['sales', 'listing', 'event', 'date', 'category', 'venue', 'users'] as const;

/**
 * The TICKIT DDL as written for Redshift (from the Redshift getting-started guide): DISTKEY,
 * SORTKEY, DISTSTYLE, ENCODE clauses included on purpose, so that the local server's rewriting
 * runs on every seed.
 */
export const TICKIT_DDL: readonly string[] = [
  `create table users(
  userid integer not null distkey sortkey,
  username char(8),
  firstname varchar(30),
  lastname varchar(30),
  city varchar(30),
  state char(2),
  email varchar(100),
  phone char(14),
  likesports boolean,
  liketheatre boolean,
  likeconcerts boolean,
  likejazz boolean,
  likeclassical boolean,
  likeopera boolean,
  likerock boolean,
  likevegas boolean,
  likebroadway boolean,
  likemusicals boolean)`,
  `create table venue(
  venueid smallint not null distkey sortkey,
  venuename varchar(100),
  venuecity varchar(30),
  venuestate char(2),
  venueseats integer)`,
  `create table category(
  catid smallint not null distkey sortkey,
  catgroup varchar(10),
  catname varchar(10),
  catdesc varchar(50)) diststyle all`,
  `create table date(
  dateid smallint not null distkey sortkey,
  caldate date not null,
  day character(3) not null,
  week smallint not null,
  month character(5) not null,
  qtr character(5) not null,
  year smallint not null,
  holiday boolean default('N')) diststyle all`,
  `create table event(
  eventid integer not null distkey,
  venueid smallint not null,
  catid smallint not null,
  dateid smallint not null sortkey,
  eventname varchar(200) encode zstd,
  starttime timestamp)`,
  `create table listing(
  listid integer not null distkey,
  sellerid integer not null,
  eventid integer not null,
  dateid smallint not null sortkey,
  numtickets smallint not null,
  priceperticket decimal(8,2),
  totalprice decimal(8,2),
  listtime timestamp)`,
  `create table sales(
  salesid integer not null,
  listid integer not null distkey,
  sellerid integer not null,
  buyerid integer not null,
  eventid integer not null,
  dateid smallint not null,
  qtysold smallint not null,
  pricepaid decimal(8,2),
  commission decimal(8,2),
  saletime timestamp) compound sortkey(dateid, salesid)`,
];

/** First dateid of 2008, as in TICKIT. */
const FIRST_DATEID = 1827;

const names = (list: string[]) => `(ARRAY[${list.map((n) => `'${n.replace(/'/g, "''")}'`).join(',')}])`;
const FIRST = names([
  'James',
  'Mary',
  'John',
  'Patricia',
  'Robert',
  'Jennifer',
  'Michael',
  'Linda',
  'David',
  'Elizabeth',
  'Ava',
  'Noah',
  'Olivia',
  'Liam',
  'Emma',
]);
const LAST = names([
  'Smith',
  'Johnson',
  'Williams',
  'Brown',
  'Jones',
  'Garcia',
  'Miller',
  'Davis',
  'Rodriguez',
  'Martinez',
  'Lee',
  'Walker',
  'Hall',
  'Young',
  'King',
]);
const CITIES = names([
  'Seattle',
  'Portland',
  'San Francisco',
  'Los Angeles',
  'Las Vegas',
  'Phoenix',
  'Denver',
  'Chicago',
  'Boston',
  'New York',
  'Miami',
  'Austin',
  "Coeur d'Alene",
]);
const STATES = names(['WA', 'OR', 'CA', 'CA', 'NV', 'AZ', 'CO', 'IL', 'MA', 'NY', 'FL', 'TX', 'ID']);
const EVENTS = names([
  'Mamma Mia!',
  'The Phantom of the Opera',
  'Wicked',
  'Jersey Boys',
  'Macbeth',
  'La Boheme',
  'Tosca',
  'Kings of Leon',
  'Coldplay',
  'Linkin Park',
  'Diana Krall',
  'Norah Jones',
  'Beethoven',
]);

/**
 * Deterministic INSERT ... SELECT statements (generate_series and integer hashing, no random()):
 * the same scale always gives the same rows. Foreign keys agree: a sale's seller, event and
 * date are its listing's, and its price is the listing's price per ticket times the quantity.
 */
export function tickitInserts(sizes: TickitSizes): string[] {
  const { users, event, listing, sales } = sizes;
  // Values derived from a listing id, shared by listing and sales.
  const listSeller = (l: string) => `(1 + (${l}::bigint * 104729) % ${users})`;
  const listEvent = (l: string) => `(1 + (${l}::bigint * 7919) % ${event})`;
  const eventDate = (e: string) => `(${FIRST_DATEID} + (${e}::bigint * 13) % 365)`;
  const listPrice = (l: string) => `((20 + (${l}::bigint * 37) % 980)::numeric(8,2))`;
  const bit = (i: string, k: number) => `((${i}::bigint * 2654435761 >> ${k}) & 1 = 1)`;
  return [
    `insert into category (catid, catgroup, catname, catdesc)
     select c.*
     from (values (1,'Sports','MLB','Major League Baseball'), (2,'Sports','NHL','National Hockey League'),
       (3,'Sports','NFL','National Football League'), (4,'Sports','NBA','National Basketball Association'),
       (5,'Sports','MLS','Major League Soccer'), (6,'Shows','Musicals','Musical theatre'),
       (7,'Shows','Plays','All non-musical theatre'), (8,'Shows','Opera','All opera and light opera'),
       (9,'Concerts','Pop','All rock and pop music concerts'), (10,'Concerts','Jazz','All jazz singers and bands'),
       (11,'Concerts','Classical','All symphony, concerto, and choir concerts')) as c`,
    `insert into venue (venueid, venuename, venuecity, venuestate, venueseats)
     select v, 'Venue ' || v, ${CITIES}[1 + v % 13], ${STATES}[1 + v % 13],
            case when v % 4 = 0 then 0 else 1000 + (v * 211) % 70000 end
     from generate_series(1, 202) v`,
    `insert into date (dateid, caldate, day, week, month, qtr, year, holiday)
     select d, cal, upper(to_char(cal, 'DY')), extract(week from cal), upper(to_char(cal, 'MON')),
            extract(quarter from cal)::text, 2008, to_char(cal, 'MM-DD') in ('01-01', '07-04', '12-25')
     from (select d, date '2008-01-01' + (d - ${FIRST_DATEID}) as cal
           from generate_series(${FIRST_DATEID}, ${FIRST_DATEID + 364}) d) s`,
    `insert into users (userid, username, firstname, lastname, city, state, email, phone, likesports,
       liketheatre, likeconcerts, likejazz, likeclassical, likeopera, likerock, likevegas, likebroadway, likemusicals)
     select u, 'U' || lpad(u::text, 7, '0'), ${FIRST}[1 + u % 15], ${LAST}[1 + (u / 15) % 15],
            ${CITIES}[1 + (u * 7) % 13], ${STATES}[1 + (u * 7) % 13], 'user' || u || '@example.com',
            '(' || lpad(((u * 31) % 900 + 100)::text, 3, '0') || ') ' || lpad(((u * 17) % 900 + 100)::text, 3, '0') || '-' || lpad((u % 10000)::text, 4, '0'),
            ${bit('u', 1)}, ${bit('u', 2)}, ${bit('u', 3)}, ${bit('u', 4)}, ${bit('u', 5)},
            ${bit('u', 6)}, ${bit('u', 7)}, ${bit('u', 8)}, ${bit('u', 9)}, ${bit('u', 10)}
     from generate_series(1, ${users}) u`,
    `insert into event (eventid, venueid, catid, dateid, eventname, starttime)
     select e, 1 + (e * 17) % 202, 1 + e % 11, ${eventDate('e')}, ${EVENTS}[1 + e % 13],
            (date '2008-01-01' + (${eventDate('e')} - ${FIRST_DATEID})::int) + make_interval(hours => 14 + e % 7, mins => 30 * (e % 2))
     from generate_series(1, ${event}) e`,
    `insert into listing (listid, sellerid, eventid, dateid, numtickets, priceperticket, totalprice, listtime)
     select l, ${listSeller('l')}, ${listEvent('l')}, ${eventDate(listEvent('l'))}, 1 + l % 30, ${listPrice('l')},
            ${listPrice('l')} * (1 + l % 30),
            (date '2008-01-01' + (${eventDate(listEvent('l'))} - ${FIRST_DATEID})::int) - make_interval(days => 1 + l % 20, secs => (l * 97) % 86400)
     from generate_series(1, ${listing}) l`,
    `insert into sales (salesid, listid, sellerid, buyerid, eventid, dateid, qtysold, pricepaid, commission, saletime)
     select s, lid, ${listSeller('lid')}, 1 + (s::bigint * 48271) % ${users}, ${listEvent('lid')}, ${eventDate(listEvent('lid'))},
            q, ${listPrice('lid')} * q, round(${listPrice('lid')} * q * 0.15, 2),
            (date '2008-01-01' + (${eventDate(listEvent('lid'))} - ${FIRST_DATEID})::int) - make_interval(secs => (s * 7) % 864000)
     from (select s, 1 + (s::bigint * 15485863) % ${listing} as lid, (1 + s % 4)::smallint as q
           from generate_series(1, ${sales}) s) g`,
  ];
}
