import { notBuilt } from '../not-built.js';

// Not built yet: answers exit 2 NOT_IMPLEMENTED until this command lands.
export default notBuilt('module override init');
