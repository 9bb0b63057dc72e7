// Express 4 is installed under an alias so both majors are tested; its API surface we use matches @types/express.
declare module 'express4' {
  import express from 'express';
  export default express;
}
