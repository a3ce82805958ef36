/* data.c - the training data: learner sentences with verb errors, and their
 * corrections, generated from templates and word lists by a seeded RNG.
 *
 * Every example is built twice from the same random choices: once right
 * (the correction) and once with one verb error of its type (the sentence).
 * A quarter of the examples keep the right sentence on both sides, so the
 * model also learns to leave correct sentences alone.
 *
 * Vocabulary: the verb table below (regular and irregular verbs with their
 * forms and a few complements each), subjects (pronouns, names, singular and
 * plural noun phrases) and time markers that call for a tense. Objects,
 * subjects and trailing prepositional phrases are also built from open word
 * lists and from made-up words, so that the model must copy what it does not
 * know instead of memorising sentences. The word lists are written for this
 * generator; the lab's prompt sentences are not copied, and any generated
 * sentence equal to a lab sentence or its expected correction is dropped.
 *
 * The generator must stay byte-for-byte stable: the committed weights were
 * trained on its output for seed 1, and tests pin the held-out set.
 */
#include "train.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

const char *const gpt_data_types[GPT_DATA_N_TYPES] = {
    "agreement",    "third_person_s", "was_were",   "have_has",
    "past_regular", "past_irregular", "did_base",   "future",
    "continuous",   "present_perfect"};
enum { AGREEMENT, THIRD_S, WAS_WERE, HAVE_HAS, PAST_REG, PAST_IRR, DID_BASE,
       FUTURE, CONTINUOUS, PERFECT };

int gpt_data_type_index(const char *type) {
    for (int i = 0; i < GPT_DATA_N_TYPES; i++)
        if (!strcmp(type, gpt_data_types[i])) return i;
    return GPT_DATA_N_TYPES;
}

/* ---- Word lists --------------------------------------------------------- */

/* past == NULL: a regular verb. dbl: the final consonant doubles before
 * -ed and -ing (stop, stopped, stopping). weather: the subject is "it". */
typedef struct {
    const char *base, *past, *pp;
    int dbl, weather;
    const char *objs; /* complements, separated by '|' */
} verb;

static const verb verbs[] = {
    /* regular */
    {"walk", 0, 0, 0, 0, "to school|to the park|home|with my dog|to work"},
    {"visit", 0, 0, 0, 0, "our grandparents|the museum|my aunt|London|a friend"},
    {"finish", 0, 0, 0, 0, "the homework|the project|work early|the book|the exam"},
    {"play", 0, 0, 0, 0, "football|cards|the piano|tennis|video games|in the garden"},
    {"clean", 0, 0, 0, 0, "the kitchen|my room|the car|the windows"},
    {"move", 0, 0, 0, 0, "to London|to a new house|to Berlin|the table"},
    {"travel", 0, 0, 0, 0, "to Japan|by train|to Mexico|around Europe"},
    {"cry", 0, 0, 0, 0, "all night|a lot|at the end of the film"},
    {"cook", 0, 0, 0, 0, "dinner|rice|pasta|soup for everyone"},
    {"stop", 0, 0, 1, 0, "at the corner|at the station|the car|near the bank"},
    {"watch", 0, 0, 0, 0, "TV|the game|a film|funny videos|the stars"},
    {"work", 0, 0, 0, 0, "at a bank|from home|late|in an office|in a shop"},
    {"live", 0, 0, 0, 0, "in a big city|in Paris|near the river|with my parents"},
    {"like", 0, 0, 0, 0, "hot weather|ice cream|music|coffee|long walks"},
    {"study", 0, 0, 0, 0, "math|history|for the test|at the library|biology"},
    {"close", 0, 0, 0, 0, "the door|the window|the shop|the box"},
    {"want", 0, 0, 0, 0, "a new bike|some water|to go home|a cat"},
    {"call", 0, 0, 0, 0, "me|my mother|the doctor|a taxi|her friend"},
    {"help", 0, 0, 0, 0, "my father|the old man|me with the dishes|her friends"},
    {"wash", 0, 0, 0, 0, "the dishes|the car|my hair|the clothes"},
    {"start", 0, 0, 0, 0, "a new job|the car|work at eight|school"},
    {"open", 0, 0, 0, 0, "the window|the door|a shop|the box"},
    {"arrive", 0, 0, 0, 0, "late|at the airport|home early|on time"},
    {"stay", 0, 0, 0, 0, "at home|in a hotel|with friends|in bed"},
    {"listen", 0, 0, 0, 0, "to music|to the radio|to the teacher"},
    {"dance", 0, 0, 0, 0, "at the wedding|all night|with Maria"},
    {"wait", 0, 0, 0, 0, "for the train|for my friend|outside|for an hour"},
    {"learn", 0, 0, 0, 0, "German|to swim|a new song|French"},
    {"paint", 0, 0, 0, 0, "the house|a picture|the fence|my room"},
    {"try", 0, 0, 0, 0, "the soup|a new game|Thai food|again"},
    {"plan", 0, 0, 1, 0, "a trip|the party|our holiday"},
    {"talk", 0, 0, 0, 0, "to my boss|about the film|on the phone|to Anna"},
    {"use", 0, 0, 0, 0, "my computer|the car|a dictionary"},
    {"need", 0, 0, 0, 0, "help|a new phone|more time|a doctor"},
    {"love", 0, 0, 0, 0, "pizza|music|my family|dogs"},
    {"enjoy", 0, 0, 0, 0, "the concert|the film|the trip|the food"},
    {"carry", 0, 0, 0, 0, "the bags|a big box|my books"},
    {"answer", 0, 0, 0, 0, "the phone|the question|my email"},
    {"miss", 0, 0, 0, 0, "the bus|the train|my family|the class"},
    {"fix", 0, 0, 0, 0, "the bike|the computer|the door"},
    {"jump", 0, 0, 0, 0, "into the pool|over the wall|very high"},
    {"climb", 0, 0, 0, 0, "the mountain|a tree|the stairs"},
    {"laugh", 0, 0, 0, 0, "at the joke|a lot|at me"},
    {"order", 0, 0, 0, 0, "a pizza|coffee|a taxi"},
    {"borrow", 0, 0, 0, 0, "a pen|my car|some money"},
    {"check", 0, 0, 0, 0, "my email|the answers|the tickets"},
    {"hate", 0, 0, 0, 0, "cold mornings|homework|the noise"},
    {"drop", 0, 0, 1, 0, "the glass|my phone|the plates"},
    {"jog", 0, 0, 1, 0, "in the park|along the beach"},
    {"shop", 0, 0, 1, 0, "for clothes|at the mall|online"},
    {"rain", 0, 0, 0, 1, "a lot|a lot in winter|every afternoon|all night"},
    {"snow", 0, 0, 0, 1, "a lot|in the mountains|all week"},
    /* irregular */
    {"go", "went", "gone", 0, 0, "to school|to the market|to the beach|home|to bed early|to work|to the park|to Rome"},
    {"eat", "ate", "eaten", 0, 0, "pizza|breakfast|an apple|fish|lunch|too much cake"},
    {"buy", "bought", "bought", 0, 0, "a new coat|milk|a car|bread|some flowers|a ticket"},
    {"teach", "taught", "taught", 0, 0, "science|English|children|history"},
    {"write", "wrote", "written", 0, 0, "a letter|an email|a book|the report|a song"},
    {"catch", "caught", "caught", 0, 0, "the last bus|a fish|a cold|the ball"},
    {"drink", "drank", "drunk", 0, 0, "tea|too much juice|water|some milk"},
    {"lose", "lost", "lost", 0, 0, "my wallet|the game|my keys|the match"},
    {"run", "ran", "run", 1, 0, "to school|in the park|a marathon|very fast"},
    {"see", "saw", "seen", 0, 0, "a famous singer|the film|my friends|a big dog|the sea"},
    {"take", "took", "taken", 0, 0, "a taxi|the bus|a shower|a photo|the exam"},
    {"break", "broke", "broken", 0, 0, "his leg|the window|a glass|my phone"},
    {"forget", "forgot", "forgotten", 1, 0, "my password|her name|the keys|my homework"},
    {"speak", "spoke", "spoken", 0, 0, "to the teacher|English|French|to my boss"},
    {"ride", "rode", "ridden", 0, 0, "a horse|a bike|the bus|a camel"},
    {"find", "found", "found", 0, 0, "my keys|a job|a wallet|the answer"},
    {"leave", "left", "left", 0, 0, "the office early|home at seven|the house|work late"},
    {"win", "won", "won", 1, 0, "the match|the game|a prize|the race"},
    {"give", "gave", "given", 0, 0, "me a book|us a day off|her a present|him some money"},
    {"make", "made", "made", 0, 0, "a cake|dinner|a mistake|a lot of noise"},
    {"do", "did", "done", 0, 0, "the homework|the dishes|yoga|the shopping"},
    {"read", "read", "read", 0, 0, "a book|the newspaper|the letter|a story"},
    {"swim", "swam", "swum", 1, 0, "in the lake|in the sea|every morning|in the pool"},
    {"drive", "drove", "driven", 0, 0, "to work|too fast|a red car|to the airport"},
    {"sleep", "slept", "slept", 0, 0, "on the sofa|all day|for ten hours|badly"},
    {"sing", "sang", "sung", 0, 0, "a song|in the choir|very well|at the party"},
    {"come", "came", "come", 0, 0, "home late|to the party|to school|back"},
    {"bring", "brought", "brought", 0, 0, "a cake|my umbrella|some food|the books"},
    {"meet", "met", "met", 0, 0, "my friends|a famous actor|Anna|the new teacher"},
    {"sell", "sold", "sold", 0, 0, "the car|old books|fruit|our house"},
    {"send", "sent", "sent", 0, 0, "a letter|an email|a message|the photos"},
    {"tell", "told", "told", 0, 0, "me a story|the truth|her the news"},
    {"fly", "flew", "flown", 0, 0, "to Paris|to New York|a kite|home"},
    {"feel", "felt", "felt", 0, 0, "sick|very tired|happy|cold"},
    {"begin", "began", "begun", 1, 0, "a new job|the lesson|to cry"},
    {"choose", "chose", "chosen", 0, 0, "a new dress|the red one|a book"},
    {"fall", "fell", "fallen", 0, 0, "asleep|off the bike|down the stairs|in love"},
    {"hear", "heard", "heard", 0, 0, "a noise|the news|the song|a strange sound"},
    {"pay", "paid", "paid", 0, 0, "the bill|for the tickets|in cash"},
    {"sit", "sat", "sat", 1, 0, "on the floor|next to me|in the garden"},
    {"throw", "threw", "thrown", 0, 0, "the ball|a stone|the old shoes"},
    {"wear", "wore", "worn", 0, 0, "a blue dress|a hat|my new shoes|a coat"},
    {"build", "built", "built", 0, 0, "a house|a sandcastle|a new bridge"},
    {"spend", "spent", "spent", 0, 0, "all my money|the day at home|a week in Rome"},
    {"keep", "kept", "kept", 0, 0, "the money|a diary|the secret"},
    {"think", "thought", "thought", 0, 0, "about the test|about you|of a plan"},
    {"know", "knew", "known", 0, 0, "the answer|her name|him"},
    {"draw", "drew", "drawn", 0, 0, "a picture|a map|a cat"},
    {"grow", "grew", "grown", 0, 0, "tomatoes|very fast|vegetables"},
    {"hide", "hid", "hidden", 0, 0, "the keys|the money|behind the door"},
    {"steal", "stole", "stolen", 0, 0, "my bike|the money|a car"},
    {"rise", "rose", "risen", 0, 0, "early|at six|a lot this year|again"},
    {"get", "got", "got", 1, 0, "a new job|up early|a letter|home late"},
};
#define N_VERBS (sizeof verbs / sizeof verbs[0])

/* person: 1 = I, 2 = you, 3 = third person singular, 4 = plural. */
typedef struct {
    const char *text;
    int person;
} subject_entry;

typedef struct {
    char text[48];
    int person;
} subject;

static const subject_entry subjects[] = {
    {"I", 1}, {"you", 2}, {"he", 3}, {"she", 3}, {"we", 4}, {"they", 4},
    {"I", 1}, {"you", 2}, {"he", 3}, {"she", 3}, {"we", 4}, {"they", 4},
    {"my sister", 3}, {"my brother", 3}, {"my father", 3}, {"my mother", 3},
    {"my friend", 3}, {"our teacher", 3}, {"the teacher", 3}, {"my boss", 3},
    {"my uncle", 3}, {"my aunt", 3}, {"the baby", 3}, {"my cat", 3},
    {"my dog", 3}, {"the doctor", 3}, {"the manager", 3}, {"my neighbor", 3},
    {"her son", 3}, {"his daughter", 3}, {"the boy", 3}, {"the girl", 3},
    {"my grandmother", 3}, {"our team", 3}, {"the student", 3},
    {"my cousin", 3}, {"the bus", 3}, {"our school", 3}, {"the city", 3},
    {"Tom", 3}, {"Anna", 3}, {"Maria", 3}, {"John", 3}, {"Sara", 3},
    {"Peter", 3}, {"Lucy", 3}, {"Ali", 3}, {"Ben", 3}, {"Emma", 3},
    {"David", 3}, {"Mr Brown", 3}, {"Mrs Lee", 3}, {"Kenji", 3},
    {"Sofia", 3}, {"Omar", 3}, {"Nina", 3}, {"Carlos", 3},
    {"my brothers", 4}, {"my parents", 4}, {"the children", 4},
    {"the kids", 4}, {"my friends", 4}, {"our neighbors", 4},
    {"the students", 4}, {"the birds", 4}, {"the teachers", 4},
    {"my sisters", 4}, {"the boys", 4}, {"the girls", 4}, {"my cousins", 4},
    {"the workers", 4}, {"his parents", 4}, {"the players", 4},
    {"Tom and Anna", 4}, {"my classmates", 4}, {"the dogs", 4},
    {"your parents", 4}, {"her friends", 4}, {"the guests", 4},
};
#define N_SUBJECTS (sizeof subjects / sizeof subjects[0])

/* Open-class words for generated noun phrases, so the model learns to copy
 * words it has never seen rather than memorise a closed set of sentences. */
static const char *const nouns[] = {
    "book", "car", "house", "garden", "window", "phone", "letter", "bike",
    "dog", "cat", "horse", "bag", "hat", "dress", "coat", "shirt", "ticket",
    "map", "song", "film", "game", "story", "picture", "cake", "apple",
    "sandwich", "bottle", "cup", "glass", "chair", "table", "door", "key",
    "wallet", "umbrella", "camera", "laptop", "computer", "radio",
    "newspaper", "magazine", "guitar", "piano", "ball", "box", "gift",
    "card", "photo", "lamp", "bed", "sofa", "kitchen", "bathroom", "office",
    "school", "library", "hospital", "museum", "market", "station",
    "airport", "bank", "park", "beach", "river", "lake", "mountain",
    "village", "city", "bridge", "road", "street", "shop", "restaurant",
    "cafe", "hotel", "church", "farm", "forest", "island", "class", "lesson",
    "exam", "report", "project", "meeting", "party", "concert", "wedding",
    "trip", "holiday", "problem", "question", "idea", "plan", "job",
    "teacher", "doctor", "nurse", "driver", "neighbor", "friend", "cousin",
    "uncle", "baby", "student", "boss", "waiter", "pilot", "farmer",
    "singer", "actor", "player", "bus", "train", "plane", "boat", "taxi",
    "truck", "clock", "mirror", "carpet", "blanket", "pillow", "towel",
    "jacket", "sweater", "scarf", "shoe", "ring", "necklace", "flower",
    "tree", "plant", "bird", "rabbit", "email", "message", "poem", "novel",
    "dictionary", "notebook", "pencil", "pen", "village", "kitten", "puppy",
    "garage", "bakery", "pharmacy", "stadium", "theater", "gym", "pool",
    "playground", "classroom", "suitcase", "backpack", "present", "window",
    "cookie", "pie", "salad", "burger", "banana", "orange", "lemon", "egg",
    "potato", "tomato", "carrot", "onion", "sausage", "candle", "painting",
    "sculpture", "castle", "tower", "harbor", "valley", "desert", "jungle"};
static const char *const people_nouns[] = {
    "teacher", "doctor", "nurse", "driver", "neighbor", "friend", "cousin",
    "student", "waiter", "pilot", "farmer", "singer", "actor", "player",
    "worker", "girl", "boy", "kid", "dog", "cat", "bird", "horse", "tourist",
    "baker", "dancer", "artist", "engineer", "lawyer", "classmate", "guest",
    "cook", "brother", "sister", "nephew", "niece", "visitor", "customer",
    "student", "manager", "writer", "runner", "swimmer", "puppy"};
static const char *const adjectives[] = {
    "big", "small", "old", "new", "red", "blue", "green", "black", "white",
    "long", "short", "cheap", "expensive", "beautiful", "noisy", "quiet",
    "heavy", "empty", "strange", "famous", "funny", "busy", "little",
    "young", "nice", "lovely", "broken", "yellow", "dirty", "clean", "warm",
    "cold", "hot", "dark", "bright", "modern", "tiny", "huge", "wooden",
    "favorite", "local", "friendly", "lazy", "brave", "angry", "happy"};
static const char *const determiners[] = {
    "the", "the", "a", "my", "his", "her", "our", "your", "their", "this",
    "that"};
static const char *const plural_dets[] = {
    "the", "my", "his", "her", "our", "your", "their", "two", "three",
    "some", "many", "these"};
static const char *const prepositions[] = {
    "in", "at", "near", "with", "for", "from", "behind", "next to", "after",
    "before", "on", "without", "under", "about", "into"};
static const char *const syllables[] = {
    "ba", "ko", "ri", "ten", "mar", "lo", "vi", "sa", "dun", "pe", "gor",
    "li", "na", "to", "bel", "ka", "mi", "ro", "sun", "da", "fe", "zo",
    "pra", "cle", "ston", "wi", "ha", "nu", "jo", "rel"};

static const char *const past_end[] = {
    "yesterday", "last week", "last night", "last Sunday", "last Friday",
    "last year", "last summer", "last weekend", "two days ago",
    "three years ago", "ten minutes ago", "an hour ago", "yesterday morning",
    "yesterday evening", "last month", "on Monday", "in 2019", "last Tuesday",
    "five years ago", "last winter", "this morning", "a week ago"};
static const char *const past_front[] = {
    "Yesterday", "Last week", "Last night", "Last year", "Last summer",
    "Two weeks ago", "Ten minutes ago", "Last Monday", "Yesterday morning",
    "A year ago", "Last Saturday", "Three days ago", "In 2015", "Last month"};
static const char *const present_end[] = {
    "every day", "every morning", "every evening", "every night",
    "on Sundays", "on Mondays", "at the weekend", "after school",
    "after work", "twice a week", "in the morning", "on Fridays",
    "every year", "in summer", "", "", "", "", "", ""};
static const char *const future_end[] = {
    "tomorrow", "next week", "next year", "tonight", "this afternoon",
    "after lunch", "in June", "soon", "on Friday", "next month",
    "this evening", "next summer", "", "", ""};
static const char *const future_front[] = {
    "Tomorrow", "Next week", "Next year", "Tonight", "Soon", "Next month",
    "On Saturday"};
static const char *const cont_now[] = {
    "now", "right now", "at the moment", "these days", "today",
    "this week", "", "", ""};
static const char *const cont_past[] = {
    "when you called", "when I arrived", "at nine last night", "all morning",
    "at noon yesterday", "when the phone rang", "all evening", ""};
static const char *const cont_past_front[] = {
    "At nine last night", "At that time", "When I came home",
    "At six yesterday"};
static const char *const perfect_end[] = {
    "three times", "many times", "before", "again", "twice", "this year",
    "recently", "this week", "since Monday", "", "", ""};
static const char *const be_comp[] = {
    "very tired", "my best friend", "ready for the exam", "at home now",
    "late for work", "always late", "happy today", "hungry", "in the kitchen",
    "a good cook", "from Brazil", "very busy this week", "at school",
    "sick today", "good at math", "in the garden", "afraid of dogs",
    "tall and strong", "on the phone", "in the same class"};
static const char *const be_past_comp[] = {
    "at the lake last weekend", "very happy with the gift", "sick last week",
    "really funny", "right about the game", "at the wedding too",
    "clean and warm", "born in a big city", "at home last night",
    "tired after the trip", "late for class", "in London last year",
    "angry with me", "very kind to us", "at work all day", "so boring",
    "in the park yesterday", "very hot", "at the cinema"};
static const char *const be_past_q[] = {
    "at home last night", "happy with the result", "late again",
    "at school today", "at the party", "in the office yesterday", "tired"};
static const char *const there_plural[] = {
    "many people at the show", "two cats in the garden",
    "a lot of cars on the road", "three books on the table",
    "some children in the park", "many mistakes in the test",
    "no buses after midnight", "five students in the room"};
static const char *const there_single[] = {
    "a big dog in the park", "a problem with the car", "nobody at home",
    "a lot of snow last winter", "a letter for you", "a cat on the roof"};
static const char *const have_objs[] = {
    "two sisters and a brother", "a red car", "a meeting at nine",
    "a big garden", "a lot of work today", "a new gym", "dinner at eight",
    "a cold this week", "three big windows", "two lazy cats", "a small house",
    "blue eyes", "many friends", "a new phone", "an old bike",
    "a question", "English on Monday", "breakfast at seven", "a test today",
    "a lot of books", "a sore throat", "long hair"};
static const char *const wh_words[] = {"Where", "Why", "When", "What time", "How"};
static const char *const perfect_adv[] = {"ever", "already", "just", "never"};

/* ---- Random choices ----------------------------------------------------- */

static uint64_t rng_next(uint64_t *s) {
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static int below(uint64_t *s, int n) {
    return (int)(rng_next(s) % (uint64_t)n);
}

#define PICK(s, arr) (arr[below(s, (int)(sizeof arr / sizeof arr[0]))])

static int is_vowel_start(const char *w) {
    return strchr("aeiou", w[0]) != NULL;
}

/* Percent chance. */
static int chance(uint64_t *s, int pct) {
    return below(s, 100) < pct;
}

/* A made-up word of two or three syllables: a noun or name the model
 * cannot have memorised, so it must copy it. */
static void pseudo_word(uint64_t *s, char *out, size_t size) {
    int n = 2 + below(s, 2);
    out[0] = '\0';
    for (int i = 0; i < n; i++)
        strncat(out, PICK(s, syllables), size - strlen(out) - 1);
}

static void pick_noun(uint64_t *s, const char *const *list, int n, char *out,
                      size_t size) {
    if (chance(s, 8)) pseudo_word(s, out, size);
    else snprintf(out, size, "%s", list[below(s, n)]);
}

/* "a big book", "my lovely kitchen", "an old clock", or with plural 1,
 * "three red cars". */
static void noun_phrase(uint64_t *s, int plural, const char *const *list,
                        int n, char *out, size_t size) {
    char noun[32], adj[40] = "";
    pick_noun(s, list, n, noun, sizeof noun);
    if (chance(s, 40)) snprintf(adj, sizeof adj, "%s ", PICK(s, adjectives));
    if (plural) {
        size_t k = strlen(noun);
        const char *suffix = (noun[k - 1] == 's' || noun[k - 1] == 'x' ||
                              noun[k - 1] == 'h') ? "es" : "s";
        snprintf(out, size, "%s %s%s%s", PICK(s, plural_dets), adj, noun, suffix);
        return;
    }
    const char *det = PICK(s, determiners);
    const char *next = *adj ? adj : noun;
    if (!strcmp(det, "a") && is_vowel_start(next)) det = "an";
    snprintf(out, size, "%s %s%s", det, adj, noun);
}

/* One of v's listed complements, copied into out. */
static void pick_obj_listed(uint64_t *s, const verb *v, char *out, size_t size) {
    int n = 1;
    for (const char *p = v->objs; *p; p++) n += *p == '|';
    int k = below(s, n);
    const char *p = v->objs;
    while (k--) p = strchr(p, '|') + 1;
    size_t len = strcspn(p, "|");
    if (len >= size) len = size - 1;
    memcpy(out, p, len);
    out[len] = '\0';
}

/* A complement of v, copied into out: a listed one or, sometimes, a noun
 * phrase, and sometimes followed by a prepositional phrase. */
static void pick_obj(uint64_t *s, const verb *v, char *out, size_t size) {
    if (!v->weather && chance(s, 25)) {
        noun_phrase(s, chance(s, 25), nouns, (int)(sizeof nouns / sizeof nouns[0]),
                    out, size);
    } else {
        pick_obj_listed(s, v, out, size);
    }
    if (chance(s, 25)) {
        char np[64];
        noun_phrase(s, chance(s, 20), nouns, (int)(sizeof nouns / sizeof nouns[0]),
                    np, sizeof np);
        size_t k = strlen(out);
        snprintf(out + k, size - k, " %s %s", PICK(s, prepositions), np);
    }
}


/* ---- Verb forms --------------------------------------------------------- */

static int is_vowel(char c) {
    return strchr("aeiou", c) != NULL;
}

static void form_s(const verb *v, char *out, size_t size) {
    const char *b = v->base;
    size_t n = strlen(b);
    if (!strcmp(b, "do") || !strcmp(b, "go"))
        snprintf(out, size, "%ses", b);
    else if (n >= 2 && b[n - 1] == 'y' && !is_vowel(b[n - 2]))
        snprintf(out, size, "%.*sies", (int)(n - 1), b);
    else if (b[n - 1] == 's' || b[n - 1] == 'x' || b[n - 1] == 'z' ||
             (n >= 2 && (b[n - 1] == 'h') && (b[n - 2] == 's' || b[n - 2] == 'c')))
        snprintf(out, size, "%ses", b);
    else
        snprintf(out, size, "%ss", b);
}

/* The -ed form by the regular rules; for an irregular verb this is the
 * over-regularised form learners write (goed, eated, runned). */
static void form_ed(const verb *v, char *out, size_t size) {
    const char *b = v->base;
    size_t n = strlen(b);
    if (b[n - 1] == 'e')
        snprintf(out, size, "%sd", b);
    else if (n >= 2 && b[n - 1] == 'y' && !is_vowel(b[n - 2]))
        snprintf(out, size, "%.*sied", (int)(n - 1), b);
    else if (v->dbl)
        snprintf(out, size, "%s%ced", b, b[n - 1]);
    else
        snprintf(out, size, "%sed", b);
}

static void form_past(const verb *v, char *out, size_t size) {
    if (v->past) snprintf(out, size, "%s", v->past);
    else form_ed(v, out, size);
}

static void form_pp(const verb *v, char *out, size_t size) {
    if (v->pp) snprintf(out, size, "%s", v->pp);
    else form_ed(v, out, size);
}

static void form_ing(const verb *v, char *out, size_t size) {
    const char *b = v->base;
    size_t n = strlen(b);
    if (n >= 2 && b[n - 1] == 'e' && b[n - 2] != 'e' && strcmp(b, "see") != 0)
        snprintf(out, size, "%.*sing", (int)(n - 1), b);
    else if (v->dbl)
        snprintf(out, size, "%s%cing", b, b[n - 1]);
    else
        snprintf(out, size, "%sing", b);
}

static const char *be_present(int person) {
    return person == 1 ? "am" : person == 3 ? "is" : "are";
}
static const char *be_past(int person) {
    return person == 1 || person == 3 ? "was" : "were";
}

/* ---- Sentence building -------------------------------------------------- */

#define WORD 48

/* The two sides of one example, built word by word. */
typedef struct {
    char right[128], wrong[128];
} pair;

/* Appends w to both sides (w2 to the wrong side when not NULL). */
static void add2(pair *p, const char *w, const char *w2) {
    if (!w2) w2 = w;
    if (*w) {
        if (p->right[0]) strncat(p->right, " ", sizeof p->right - strlen(p->right) - 1);
        strncat(p->right, w, sizeof p->right - strlen(p->right) - 1);
    }
    if (*w2) {
        if (p->wrong[0]) strncat(p->wrong, " ", sizeof p->wrong - strlen(p->wrong) - 1);
        strncat(p->wrong, w2, sizeof p->wrong - strlen(p->wrong) - 1);
    }
}
static void add(pair *p, const char *w) {
    add2(p, w, NULL);
}

static void finish(pair *p, char punct) {
    size_t n = strlen(p->right), m = strlen(p->wrong);
    if (n + 1 < sizeof p->right) p->right[n] = punct, p->right[n + 1] = '\0';
    if (m + 1 < sizeof p->wrong) p->wrong[m] = punct, p->wrong[m + 1] = '\0';
    p->right[0] = (char)toupper((unsigned char)p->right[0]);
    p->wrong[0] = (char)toupper((unsigned char)p->wrong[0]);
}

static const verb *pick_verb(uint64_t *s, int irregular_only, int regular_only) {
    for (;;) {
        const verb *v = &verbs[below(s, (int)N_VERBS)];
        if (irregular_only && !v->past) continue;
        if (regular_only && v->past) continue;
        return v;
    }
}

/* The subject for v: "it" for weather verbs; else a pronoun, a name or a
 * listed noun phrase, or a generated one (half the time). */
static subject pick_subject(uint64_t *s, const verb *v) {
    subject sj;
    if (v && v->weather) {
        snprintf(sj.text, sizeof sj.text, "it");
        sj.person = 3;
    } else if (chance(s, 55)) {
        const subject_entry *e = &subjects[below(s, (int)N_SUBJECTS)];
        snprintf(sj.text, sizeof sj.text, "%s", e->text);
        sj.person = e->person;
    } else if (chance(s, 15)) {
        char w[32];
        pseudo_word(s, w, sizeof w);
        w[0] = (char)toupper((unsigned char)w[0]);
        snprintf(sj.text, sizeof sj.text, "%s", w);
        sj.person = 3;
    } else {
        int plural = chance(s, 45);
        noun_phrase(s, plural, people_nouns,
                    (int)(sizeof people_nouns / sizeof people_nouns[0]), sj.text,
                    sizeof sj.text);
        sj.person = plural ? 4 : 3;
    }
    return sj;
}

/* An optional front time marker, sometimes followed by a comma. */
static void add_front(uint64_t *s, pair *p, const char *marker) {
    char buf[WORD];
    snprintf(buf, sizeof buf, "%s%s", marker, chance(s, 15) ? "," : "");
    add(p, buf);
}

/* agreement and third_person_s: the simple present. */
static int gen_present(uint64_t *s, pair *p) {
    const verb *v = pick_verb(s, 0, 0);
    subject sj = pick_subject(s, v);
    char obj[WORD], f[WORD];
    pick_obj(s, v, obj, sizeof obj);
    int negated = 0;
    add(p, sj.text);
    if (chance(s, 15) && !v->weather) {
        negated = 1;
        /* don't / doesn't */
        const char *neg[2][2] = {{"don't", "doesn't"}, {"do not", "does not"}};
        int full = chance(s, 30);
        int third = sj.person == 3;
        add2(p, neg[full][third], neg[full][!third]);
        add(p, v->base);
    } else if (sj.person == 3) {
        form_s(v, f, sizeof f);
        add2(p, f, v->base);
    } else {
        form_s(v, f, sizeof f);
        add2(p, v->base, f);
    }
    add(p, obj);
    add(p, PICK(s, present_end));
    finish(p, '.');
    /* A third person with the base form is a missing -s; anything else
     * (they goes, he don't) is an agreement error. */
    return sj.person == 3 && !negated ? THIRD_S : AGREEMENT;
}

/* agreement: am / is / are. */
static int gen_be_present(uint64_t *s, pair *p) {
    subject sj = pick_subject(s, NULL);
    const char *right = be_present(sj.person), *wrong;
    if (sj.person == 1) wrong = chance(s, 70) ? "is" : "are";
    else if (sj.person == 3) wrong = chance(s, 85) ? "are" : "am";
    else wrong = chance(s, 85) ? "is" : "am";
    add(p, sj.text);
    add2(p, right, wrong);
    add(p, PICK(s, be_comp));
    finish(p, '.');
    return AGREEMENT;
}

static int gen_was_were(uint64_t *s, pair *p) {
    int form = below(s, 100);
    if (form < 15) {
        int plural = chance(s, 70);
        add(p, "there");
        add2(p, plural ? "were" : "was", plural ? "was" : "were");
        add(p, plural ? PICK(s, there_plural) : PICK(s, there_single));
        finish(p, '.');
    } else if (form < 30) {
        subject sj = pick_subject(s, NULL);
        const char *r = be_past(sj.person);
        add2(p, r, !strcmp(r, "was") ? "were" : "was");
        add(p, sj.text);
        add(p, PICK(s, be_past_q));
        finish(p, '?');
    } else {
        subject sj = pick_subject(s, NULL);
        const char *r = be_past(sj.person);
        add(p, sj.text);
        add2(p, r, !strcmp(r, "was") ? "were" : "was");
        add(p, PICK(s, be_past_comp));
        finish(p, '.');
    }
    return WAS_WERE;
}

static int gen_have_has(uint64_t *s, pair *p) {
    subject sj = pick_subject(s, NULL);
    int third = sj.person == 3;
    add(p, sj.text);
    add2(p, third ? "has" : "have", third ? "have" : "has");
    if (chance(s, 35)) {
        char np[64];
        noun_phrase(s, chance(s, 30), nouns, (int)(sizeof nouns / sizeof nouns[0]),
                    np, sizeof np);
        add(p, np);
        if (chance(s, 30)) add(p, PICK(s, present_end));
    } else {
        add(p, PICK(s, have_objs));
    }
    finish(p, '.');
    return HAVE_HAS;
}

/* past_regular and past_irregular: a past time marker, front or end. */
static int gen_past(uint64_t *s, pair *p, int irregular) {
    const verb *v = pick_verb(s, irregular, !irregular);
    subject sj = pick_subject(s, v);
    char obj[WORD], r[WORD], w[WORD];
    pick_obj(s, v, obj, sizeof obj);
    form_past(v, r, sizeof r);
    if (irregular && chance(s, 50)) form_ed(v, w, sizeof w);
    else if (chance(s, 85) || v->weather) snprintf(w, sizeof w, "%s", v->base);
    else form_s(v, w, sizeof w);
    int front = chance(s, 40);
    if (front) add_front(s, p, PICK(s, past_front));
    add(p, sj.text);
    add2(p, r, w);
    add(p, obj);
    if (!front) add(p, PICK(s, past_end));
    finish(p, '.');
    return irregular ? PAST_IRR : PAST_REG;
}

/* did_base: did not / didn't / Did ...? / Wh- did ...? with a past form. */
static int gen_did(uint64_t *s, pair *p) {
    const verb *v = pick_verb(s, 0, 0);
    subject sj = pick_subject(s, v);
    char obj[WORD], w[WORD];
    pick_obj(s, v, obj, sizeof obj);
    if (chance(s, 85)) form_past(v, w, sizeof w);
    else form_s(v, w, sizeof w);
    int form = below(s, 4);
    if (form == 0 || form == 1) {
        add(p, sj.text);
        add(p, form == 0 ? "did not" : "didn't");
        add2(p, v->base, w);
        add(p, obj);
        if (chance(s, 60)) add(p, PICK(s, past_end));
        finish(p, '.');
    } else {
        if (form == 3) add(p, PICK(s, wh_words));
        add(p, form == 3 ? "did" : "Did");
        add(p, sj.text);
        add2(p, v->base, w);
        add(p, obj);
        if (chance(s, 40)) add(p, PICK(s, past_end));
        finish(p, '?');
    }
    return DID_BASE;
}

/* future: will / won't / Will ...? / am, is, are going to. */
static int gen_future(uint64_t *s, pair *p) {
    const verb *v = pick_verb(s, 0, 0);
    subject sj = pick_subject(s, v);
    char obj[WORD], w[WORD];
    pick_obj(s, v, obj, sizeof obj);
    int k = below(s, 3);
    if (k == 0) form_s(v, w, sizeof w);
    else if (k == 1) form_past(v, w, sizeof w);
    else form_ing(v, w, sizeof w);
    int form = below(s, 5);
    if (form == 2) {
        add(p, "Will");
        add(p, sj.text);
        add2(p, v->base, w);
        add(p, obj);
        if (chance(s, 40)) add(p, PICK(s, future_end));
        finish(p, '?');
        return FUTURE;
    }
    int front = chance(s, 25);
    if (front) add_front(s, p, PICK(s, future_front));
    add(p, sj.text);
    if (form == 0) add(p, "will");
    else if (form == 1) add(p, "won't");
    else {
        add(p, be_present(sj.person));
        add(p, "going to");
    }
    add2(p, v->base, w);
    add(p, obj);
    if (!front) add(p, PICK(s, future_end));
    finish(p, '.');
    return FUTURE;
}

/* continuous: am/is/are/was/were + -ing, written with the base form. */
static int gen_continuous(uint64_t *s, pair *p) {
    const verb *v = pick_verb(s, 0, 0);
    subject sj = pick_subject(s, v);
    char obj[WORD], r[WORD], w[WORD];
    pick_obj(s, v, obj, sizeof obj);
    form_ing(v, r, sizeof r);
    int k = below(s, 10);
    if (k < 8) snprintf(w, sizeof w, "%s", v->base);
    else if (k < 9) form_s(v, w, sizeof w);
    else form_past(v, w, sizeof w);
    int form = below(s, 10);
    if (form < 1 && !v->weather) {
        /* What are you doing these days? */
        add(p, "What");
        add(p, be_present(sj.person));
        add(p, sj.text);
        add2(p, r, w);
        if (chance(s, 50)) add(p, PICK(s, cont_now));
        finish(p, '?');
        return CONTINUOUS;
    }
    int past = form >= 6;
    int front = 0;
    if (!past && chance(s, 10)) add(p, chance(s, 50) ? "Look!" : "Listen!");
    if (past && chance(s, 25)) front = 1, add(p, PICK(s, cont_past_front));
    add(p, sj.text);
    add(p, past ? be_past(sj.person) : be_present(sj.person));
    add2(p, r, w);
    add(p, obj);
    if (!front) add(p, past ? PICK(s, cont_past) : PICK(s, cont_now));
    finish(p, '.');
    /* "Look! the baby" -> "Look! The baby": capitalise after '!'. */
    for (char *q = p->right; (q = strstr(q, "! ")); q += 2) q[2] = (char)toupper((unsigned char)q[2]);
    for (char *q = p->wrong; (q = strstr(q, "! ")); q += 2) q[2] = (char)toupper((unsigned char)q[2]);
    return CONTINUOUS;
}

/* present_perfect: have/has + past participle, written with the past. */
static int gen_perfect(uint64_t *s, pair *p) {
    const verb *v;
    char r[WORD], w[WORD], past[WORD];
    for (;;) {
        v = pick_verb(s, chance(s, 85), 0);
        form_pp(v, r, sizeof r);
        form_past(v, past, sizeof past);
        if (v->past && strcmp(r, past) != 0) {
            snprintf(w, sizeof w, "%s", past);
            break;
        }
        if (!v->past) {
            snprintf(w, sizeof w, "%s", v->base);
            break;
        }
    }
    subject sj = pick_subject(s, v);
    char obj[WORD];
    pick_obj(s, v, obj, sizeof obj);
    const char *aux = sj.person == 3 ? "has" : "have";
    int form = below(s, 10);
    if (form < 2) {
        add(p, aux[2] == 's' ? "Has" : "Have");
        add(p, sj.text);
        if (form == 0) add(p, "ever");
        add2(p, r, w);
        add(p, obj);
        if (form == 1) add(p, "yet");
        finish(p, '?');
        return PERFECT;
    }
    add(p, sj.text);
    add(p, aux);
    if (chance(s, 25)) add(p, PICK(s, perfect_adv));
    add2(p, r, w);
    add(p, obj);
    add(p, PICK(s, perfect_end));
    finish(p, '.');
    return PERFECT;
}

static int gen_type(uint64_t *s, int type, pair *p) {
    memset(p, 0, sizeof *p);
    switch (type) {
    case AGREEMENT:
        if (chance(s, 50)) return gen_be_present(s, p);
        for (;;) { /* a present-tense agreement error, not a missing -s */
            if (gen_present(s, p) == AGREEMENT) return AGREEMENT;
            memset(p, 0, sizeof *p);
        }
    case THIRD_S:
        for (;;) {
            if (gen_present(s, p) == THIRD_S) return THIRD_S;
            memset(p, 0, sizeof *p);
        }
    case WAS_WERE: return gen_was_were(s, p);
    case HAVE_HAS: return gen_have_has(s, p);
    case PAST_REG: return gen_past(s, p, 0);
    case PAST_IRR: return gen_past(s, p, 1);
    case DID_BASE: return gen_did(s, p);
    case FUTURE: return gen_future(s, p);
    case CONTINUOUS: return gen_continuous(s, p);
    default: return gen_perfect(s, p);
    }
}

/* ---- The stream --------------------------------------------------------- */

int gpt_data_split_of(const gpt_example *ex) {
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
    for (const char *c = ex->correction; *c; c++)
        h = (h ^ (unsigned char)*c) * 0x100000001b3ull;
    return h % 16 == 0 ? GPT_SPLIT_HELDOUT : GPT_SPLIT_TRAIN;
}

void gpt_data_init(gpt_data *d, uint64_t seed, int split,
                   const char *const *exclude, size_t n_exclude) {
    d->rng = seed * 0x2545F4914F6CDD1Dull + 0x1234567ull;
    d->split = split;
    d->exclude = exclude;
    d->n_exclude = n_exclude;
}

static int excluded(const gpt_data *d, const char *s) {
    for (size_t i = 0; i < d->n_exclude; i++)
        if (!strcmp(d->exclude[i], s)) return 1;
    return 0;
}

void gpt_data_next(gpt_data *d, gpt_example *ex) {
    for (;;) {
        pair p;
        int correct = chance(&d->rng, 25);
        int type = gen_type(&d->rng, below(&d->rng, GPT_DATA_N_TYPES), &p);
        if (!correct && !strcmp(p.right, p.wrong)) continue;
        const char *sentence = correct ? p.right : p.wrong;
        size_t n = strlen(sentence), nr = strlen(p.right);
        if (n > GPT_DATA_MAX_SENTENCE || nr > n + GPT_CORRECTION_SLACK) continue;
        memcpy(ex->sentence, sentence, n + 1);
        memcpy(ex->correction, p.right, nr + 1);
        ex->type = correct ? "correct" : gpt_data_types[type];
        if (gpt_data_split_of(ex) != d->split) continue;
        if (excluded(d, ex->sentence) || excluded(d, ex->correction)) continue;
        return;
    }
}

int gpt_data_encode(const gpt_example *ex, int *inputs, int *targets, int T) {
    int ns = (int)strlen(ex->sentence), nc = (int)strlen(ex->correction);
    int n = ns + 1 + nc; /* inputs: sentence, SEP, correction */
    if (n > T) return GPT_ETOOLONG;
    int seq[2 * GPT_MAX_CONTEXT + 2];
    int k = 0;
    for (int i = 0; i < ns; i++) seq[k++] = gpt_token_of((unsigned char)ex->sentence[i]);
    seq[k++] = GPT_TOKEN_SEP;
    for (int i = 0; i < nc; i++) seq[k++] = gpt_token_of((unsigned char)ex->correction[i]);
    seq[k++] = GPT_TOKEN_END;
    for (int t = 0; t < T; t++) {
        inputs[t] = t < n ? seq[t] : GPT_TOKEN_END;
        /* Position t predicts seq[t + 1]; only the correction and END count. */
        targets[t] = (t >= ns && t < n) ? seq[t + 1] : -1;
    }
    return n;
}
