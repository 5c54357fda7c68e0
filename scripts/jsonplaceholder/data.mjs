// Deterministic, offline stand-in for the https://jsonplaceholder.typicode.com data set.
// Same collections, counts, id ranges, foreign keys and nested shapes as the real service;
// the first record of each collection (and users 1..10's names/usernames/emails) match the
// real data, the rest is lorem-like text from a fixed word list and a seeded PRNG.

const WORDS = (
  'a ab accusamus accusantium ad adipisci alias aliquam aliquid amet animi aperiam architecto ' +
  'asperiores aspernatur assumenda at atque aut autem beatae blanditiis commodi consectetur ' +
  'consequatur consequuntur corporis corrupti culpa cum cumque cupiditate debitis delectus ' +
  'deleniti deserunt dicta dignissimos distinctio dolor dolore dolorem doloremque dolores ' +
  'doloribus dolorum ducimus ea eaque earum eius eligendi enim eos est et eum eveniet ex ' +
  'excepturi exercitationem expedita explicabo facere facilis fuga fugiat fugit harum hic id ' +
  'illo illum impedit in incidunt inventore ipsa ipsam ipsum iste itaque iure iusto labore ' +
  'laboriosam laborum laudantium libero magnam magni maiores maxime minima minus modi molestiae ' +
  'molestias mollitia nam natus necessitatibus nemo neque nesciunt nihil nisi nobis non nostrum ' +
  'nulla numquam obcaecati occaecati odio odit officia officiis omnis optio pariatur perferendis ' +
  'perspiciatis placeat porro possimus praesentium provident quae quaerat quam quas quasi qui ' +
  'quia quibusdam quidem quis quisquam quo quod quos ratione recusandae reiciendis rem repellat ' +
  'repellendus reprehenderit repudiandae rerum saepe sapiente sed sequi similique sint sit ' +
  'soluta sunt suscipit tempora tempore temporibus tenetur totam ullam unde ut vel velit ' +
  'veniam veritatis vero vitae voluptas voluptate voluptatem voluptates voluptatibus voluptatum'
).split(' ');

const FIRST_NAMES = [
  'Eliseo',
  'Jayne',
  'Nikita',
  'Lew',
  'Hayden',
  'Presley',
  'Dallas',
  'Mallory',
  'Meghan',
  'Mariana',
  'Kelvin',
  'Kenton',
  'Carmen',
  'Veronica',
  'Oswald',
  'Marcia',
  'Ansel',
  'Noemie',
  'Garth',
  'Sophia',
];
const LAST_NAMES = [
  'Gardner',
  'Kuhlman',
  'Kiehn',
  'Alysha',
  'Bogan',
  'Mueller',
  'Brown',
  'Rolfson',
  'Ward',
  'Hickle',
  'Stehr',
  'Grant',
  'Kozey',
  'Dach',
  'Leffler',
  'Torp',
  'Lind',
  'Zieme',
  'Morar',
  'Jacobs',
];
const TLDS = ['biz', 'com', 'org', 'net', 'info', 'tv', 'io', 'me', 'ca', 'name'];
const STREET_SUFFIXES = ['Light', 'Extension', 'Street', 'Avenue', 'Plains', 'Road', 'Stream', 'Crossing', 'Mission', 'Mall'];
const CITY_PARTS = ['Gwen', 'Wisoky', 'Mc', 'South', 'Roscoe', 'Lebsack', 'Howe', 'Aliya', 'Bartholomew', 'Lebsack'];
const CITY_SUFFIXES = ['borough', 'burgh', 'view', 'ville', 'mouth', 'haven', 'port', 'side', 'ton', 'land'];
const CATCH_A = ['Multi-layered', 'Proactive', 'Face to face', 'Multi-tiered', 'User-centric', 'Synchronised', 'Configurable', 'Implemented', 'Switchable', 'Centralized'];
const CATCH_B = ['client-server', 'didactic', 'bifurcated', 'zero tolerance', 'upward-trending', 'bottom-line', 'multimedia', 'secondary', 'contextually-based', 'empowering'];
const CATCH_C = ['neural-net', 'contingency', 'info-mediaries', 'moderator', 'process improvement', 'solution', 'task-force', 'adapter', 'protocol', 'access'];
const BS_A = ['harness', 'synergize', 'e-enable', 'transition', 'revolutionize', 'implement', 'iterate', 'generate', 'aggregate', 'target'];
const BS_B = ['real-time', 'scalable', 'strategic', 'cutting-edge', 'one-to-one', 'innovative', 'end-to-end', 'efficient', 'global', 'interactive'];
const BS_C = ['e-markets', 'supply-chains', 'applications', 'models', 'synergies', 'channels', 'schemas', 'web-readiness', 'paradigms', 'networks'];

// Names, usernames, emails and websites of the real jsonplaceholder users.
const USERS = [
  ['Leanne Graham', 'Bret', 'Sincere@april.biz', 'hildegard.org'],
  ['Ervin Howell', 'Antonette', 'Shanna@melissa.tv', 'anastasia.net'],
  ['Clementine Bauch', 'Samantha', 'Nathan@yesenia.net', 'ramiro.info'],
  ['Patricia Lebsack', 'Karianne', 'Julianne.OConner@kory.org', 'kale.biz'],
  ['Chelsey Dietrich', 'Kamren', 'Lucio_Hettinger@annie.ca', 'demarco.info'],
  ['Mrs. Dennis Schulist', 'Leopoldo_Corkery', 'Karley_Dach@jasper.info', 'ola.org'],
  ['Kurtis Weissnat', 'Elwyn.Skiles', 'Telly.Hoeger@billy.biz', 'elvis.io'],
  ['Nicholas Runolfsdottir V', 'Maxime_Nienow', 'Sherwood@rosamond.me', 'jacynthe.com'],
  ['Glenna Reichert', 'Delphine', 'Chaim_McDermott@dana.io', 'conrad.com'],
  ['Clementina DuBuque', 'Moriah.Stanton', 'Rey.Padberg@karina.biz', 'ambrose.net'],
];

/** mulberry32: tiny deterministic PRNG returning floats in [0, 1). */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Deterministically build a jsonplaceholder-shaped data set.
 * Every call returns a fresh object tree (callers may mutate it freely).
 * @returns {{ users: object[], posts: object[], comments: object[], albums: object[], photos: object[], todos: object[] }}
 */
export function generateJsonPlaceholderData() {
  const rand = mulberry32(0x6a736f6e); // "json"
  const int = (min, max) => min + Math.floor(rand() * (max - min + 1));
  const pick = (arr) => arr[Math.floor(rand() * arr.length)];
  const words = (min, max) => {
    const n = int(min, max);
    const out = new Array(n);
    for (let i = 0; i < n; i++) out[i] = pick(WORDS);
    return out.join(' ');
  };
  const sentence = () => words(4, 10);
  const paragraph = (lines) => {
    const out = new Array(lines);
    for (let i = 0; i < lines; i++) out[i] = sentence();
    return out.join('\n');
  };
  const capitalize = (s) => s.charAt(0).toUpperCase() + s.slice(1);
  const digits = (n) => {
    let s = '';
    for (let i = 0; i < n; i++) s += String(int(0, 9));
    return s;
  };
  const coord = (range) => (rand() * 2 * range - range).toFixed(4);
  const hexColor = () => int(0, 0xffffff).toString(16).padStart(6, '0');

  const users = USERS.map(([name, username, email, website], i) => ({
    id: i + 1,
    name,
    username,
    email,
    address: {
      street: `${capitalize(pick(WORDS))} ${STREET_SUFFIXES[i]}`,
      suite: `${rand() < 0.5 ? 'Apt.' : 'Suite'} ${int(100, 999)}`,
      city: `${CITY_PARTS[i]}${CITY_SUFFIXES[i]}`,
      zipcode: `${digits(5)}-${digits(4)}`,
      geo: { lat: coord(90), lng: coord(180) },
    },
    phone: `1-${digits(3)}-${digits(3)}-${digits(4)} x${digits(5)}`,
    website,
    company: {
      name: `${LAST_NAMES[i]}-${LAST_NAMES[(i + 7) % LAST_NAMES.length]}`,
      catchPhrase: `${CATCH_A[i]} ${CATCH_B[i]} ${CATCH_C[i]}`,
      bs: `${BS_A[i]} ${BS_B[i]} ${BS_C[i]}`,
    },
  }));
  // User 1 is exactly the real record.
  users[0].address = {
    street: 'Kulas Light',
    suite: 'Apt. 556',
    city: 'Gwenborough',
    zipcode: '92998-3874',
    geo: { lat: '-37.3159', lng: '81.1496' },
  };
  users[0].phone = '1-770-736-8031 x56442';
  users[0].company = {
    name: 'Romaguera-Crona',
    catchPhrase: 'Multi-layered client-server neural-net',
    bs: 'harness real-time e-markets',
  };

  const posts = new Array(100);
  for (let i = 0; i < 100; i++) {
    const id = i + 1;
    posts[i] = { userId: Math.ceil(id / 10), id, title: words(3, 9), body: paragraph(4) };
  }
  posts[0].title = 'sunt aut facere repellat provident occaecati excepturi optio reprehenderit';
  posts[0].body = 'quia et suscipit\nsuscipit recusandae consequuntur expedita et cum\n' + 'reprehenderit molestiae ut ut quas totam\nnostrum rerum est autem sunt rem eveniet architecto';

  const comments = new Array(500);
  for (let i = 0; i < 500; i++) {
    const id = i + 1;
    const email = `${pick(FIRST_NAMES)}${rand() < 0.5 ? '_' : '.'}${pick(LAST_NAMES)}@${pick(WORDS)}.${pick(TLDS)}`;
    comments[i] = { postId: Math.ceil(id / 5), id, name: words(3, 7), email, body: paragraph(4) };
  }
  comments[0].name = 'id labore ex et quam laborum';
  comments[0].email = 'Eliseo@gardner.biz';
  comments[0].body = 'laudantium enim quasi est quidem magnam voluptate ipsam eos\ntempora quo necessitatibus\n' + 'dolor quam autem quasi\nreiciendis et nam sapiente accusantium';

  const albums = new Array(100);
  for (let i = 0; i < 100; i++) {
    const id = i + 1;
    albums[i] = { userId: Math.ceil(id / 10), id, title: words(2, 7) };
  }
  albums[0].title = 'quidem molestiae enim';

  const photos = new Array(5000);
  for (let i = 0; i < 5000; i++) {
    const id = i + 1;
    const color = i === 0 ? '92c952' : hexColor();
    photos[i] = {
      albumId: Math.ceil(id / 50),
      id,
      title: words(3, 9),
      url: `https://via.placeholder.com/600/${color}`,
      thumbnailUrl: `https://via.placeholder.com/150/${color}`,
    };
  }
  photos[0].title = 'accusamus beatae ad facilis cum similique qui sunt';

  const todos = new Array(200);
  for (let i = 0; i < 200; i++) {
    const id = i + 1;
    todos[i] = { userId: Math.ceil(id / 20), id, title: words(2, 8), completed: rand() < 0.5 };
  }
  todos[0].title = 'delectus aut autem';
  todos[0].completed = false;

  return { users, posts, comments, albums, photos, todos };
}
